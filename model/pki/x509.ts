// X.509 certificates with node-forge. The RSA signature itself is computed by Node's native crypto
// through a forge-compatible signer (about 20x faster than forge's pure-JS RSA on a 2-core host).
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import { constants, createPrivateKey, privateEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { CertKind } from './catalog.ts';
import { publicKeyPemOf } from './keys.ts';
import { isIpSan } from './sans.ts';

/** A parsed CA ready to sign: its subject, key identifier, validity and private key. */
export interface Issuer {
  subject: forge.pki.CertificateField[];
  keyIdentifier: string;
  notBefore: Date;
  notAfter: Date;
  keyPem: string;
}

export interface IssueRequest {
  commonName: string;
  organization?: string;
  kind: CertKind;
  sans: string[];
  keyPem: string;
  /** Absent: self-signed (a CA). */
  issuer?: Issuer;
  notBefore: Date;
  notAfter: Date;
  serial: string;
}

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Signs and returns the certificate PEM. */
export function issueCertificate(req: IssueRequest): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPemOf(req.keyPem));
  cert.serialNumber = req.serial;
  cert.validity.notBefore = req.notBefore;
  cert.validity.notAfter = req.notAfter;
  const subject = subjectOf(req.commonName, req.organization);
  cert.setSubject(subject);
  cert.setIssuer(req.issuer?.subject ?? subject);
  cert.setExtensions(req.kind === 'ca' ? caExtensions() : leafExtensions(req));
  cert.sign(nativeSigner(req.issuer?.keyPem ?? req.keyPem), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert).replaceAll('\r\n', '\n');
}

/** Parses a CA certificate and key for signing. */
export function issuerOf(certPem: string, keyPem: string): Issuer {
  const cert = forge.pki.certificateFromPem(certPem);
  const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  const keyIdentifier = ski?.subjectKeyIdentifier
    ? forge.util.hexToBytes(ski.subjectKeyIdentifier)
    : cert.generateSubjectKeyIdentifier().getBytes();
  const { notBefore, notAfter } = cert.validity;
  return { subject: cert.subject.attributes, keyIdentifier, notBefore, notAfter, keyPem };
}

/** 16 random bytes as lower-case hex, first byte in 0x01..0x7f so the DER INTEGER is positive and minimal. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 1;
  return bytes.toString('hex');
}

function subjectOf(commonName: string, organization?: string): forge.pki.CertificateField[] {
  const cn = { name: 'commonName', value: commonName };
  return organization ? [{ name: 'organizationName', value: organization }, cn] : [cn];
}

function caExtensions(): object[] {
  return [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'subjectKeyIdentifier' },
  ];
}

function leafExtensions(req: IssueRequest): object[] {
  const extensions: object[] = [
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', clientAuth: true, serverAuth: req.kind === 'server' },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: req.issuer!.keyIdentifier },
  ];
  if (req.sans.length > 0) extensions.push({ name: 'subjectAltName', altNames: req.sans.map(altName) });
  return extensions;
}

/** GeneralName: 7 = iPAddress, 2 = dNSName. */
function altName(value: string): object {
  return isIpSan(value) ? { type: 7, ip: value } : { type: 2, value };
}

/** forge calls `key.sign(md)` and expects a PKCS#1 v1.5 signature as a binary string. */
function nativeSigner(keyPem: string): forge.pki.rsa.PrivateKey {
  const key = createPrivateKey(keyPem);
  const sign = (md: forge.md.MessageDigest) => {
    const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
  };
  return { sign } as unknown as forge.pki.rsa.PrivateKey;
}
