// X.509 v3 certificates (RFC 5280), encoded by model/pki/der.ts and signed by node:crypto, for RSA and ECDSA
// keys alike: the signature algorithm follows the signer's key (sha256WithRSAEncryption or ecdsa-with-SHA256).
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import type { CertKind } from './catalog.ts';
import * as der from './der.ts';
import { isIpSan } from './sans.ts';

/** A parsed CA ready to sign: its subject as written, key identifier, validity and private key. */
export interface Issuer {
  subject: der.Node;
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

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
};

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const KEY_ENCIPHERMENT = 2;
const KEY_CERT_SIGN = 5;

/** Signs and returns the certificate PEM. */
export function issueCertificate(req: IssueRequest): string {
  const spki = der.fromDer(createPublicKey(req.keyPem).export({ type: 'spki', format: 'der' }));
  const keyIdentifier = keyIdOf(spki);
  const subject = nameOf(req.commonName, req.organization);
  const signer = createPrivateKey(req.issuer?.keyPem ?? req.keyPem);
  const algorithm = signatureAlgorithm(signer);
  const tbs = der.seq(
    der.explicit(0, der.integer('\x02')), // v3
    der.integer(Buffer.from(req.serial, 'hex').toString('binary')),
    algorithm,
    req.issuer?.subject ?? subject,
    der.seq(der.time(req.notBefore), der.time(req.notAfter)),
    subject,
    spki,
    der.explicit(3, der.seq(...extensionsOf(req, keyIdentifier))),
  );
  const signature = sign('sha256', der.toDer(tbs), signer);
  const certificate = der.toDer(der.seq(tbs, algorithm, der.bitString(signature.toString('binary'))));
  return toPem(certificate);
}

/** Parses a CA certificate and key for signing (its own subject bytes are copied into what it issues). */
export function issuerOf(certPem: string, keyPem: string): Issuer {
  const cert = new X509Certificate(certPem);
  const tbs = der.fromDer(cert.raw).value[0] as der.Node;
  const fields = tbs.value as der.Node[];
  const v1 = !isContextTag(fields[0]!, 0); // a v1 certificate has no [0] version field
  const field = (v3Index: number) => fields[v1 ? v3Index - 1 : v3Index]!;
  return {
    subject: field(5),
    keyIdentifier: subjectKeyIdOf(fields) ?? keyIdOf(field(6)),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    keyPem,
  };
}

/** 16 random bytes as lower-case hex, first byte in 0x01..0x7f so the DER INTEGER is positive and minimal. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 1;
  return bytes.toString('hex');
}

function signatureAlgorithm(signer: KeyObject): der.Node {
  const type = signer.asymmetricKeyType;
  if (type === 'rsa') return der.seq(der.oid(OID.sha256WithRsa), der.nul());
  if (type === 'ec') return der.seq(der.oid(OID.ecdsaWithSha256)); // no parameters (RFC 5758)
  throw new Error(`unsupported CA key type ${type}`);
}

function nameOf(commonName: string, organization?: string): der.Node {
  const rdn = (type: string, value: string) => der.set(der.seq(der.oid(type), der.utf8(value)));
  const cn = rdn(OID.commonName, commonName);
  return organization ? der.seq(rdn(OID.organization, organization), cn) : der.seq(cn);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdOf(spki: der.Node): string {
  const bits = der.bitStringBytes((spki.value as der.Node[])[1]!);
  return createHash('sha1').update(Buffer.from(bits, 'binary')).digest('binary');
}

const isContextTag = (node: der.Node, tag: number) => node.tagClass === 0x80 && node.type === tag;

/** The SubjectKeyIdentifier extension's value, when the certificate has one. */
function subjectKeyIdOf(tbsFields: der.Node[]): string | undefined {
  const extensions = tbsFields.find((f) => isContextTag(f, 3));
  for (const ext of ((extensions?.value as der.Node[])?.[0]?.value ?? []) as der.Node[]) {
    const [id, ...rest] = ext.value as der.Node[];
    if (der.oidOf(id!) === OID.subjectKeyIdentifier)
      return der.fromDer(Buffer.from(rest.at(-1)!.value as string, 'binary')).value as string;
  }
  return undefined;
}

function extension(id: string, critical: boolean, value: der.Node): der.Node {
  const octets = der.octets(der.toDer(value).toString('binary'));
  return critical ? der.seq(der.oid(id), der.bool(true), octets) : der.seq(der.oid(id), octets);
}

function extensionsOf(req: IssueRequest, keyIdentifier: string): der.Node[] {
  const subjectKeyId = extension(OID.subjectKeyIdentifier, false, der.octets(keyIdentifier));
  if (req.kind === 'ca')
    return [
      extension(OID.basicConstraints, true, der.seq(der.bool(true))),
      extension(OID.keyUsage, true, der.namedBits([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT, KEY_CERT_SIGN])),
      subjectKeyId,
    ];
  const usages = req.kind === 'server' ? [OID.clientAuth, OID.serverAuth] : [OID.clientAuth];
  const extensions = [
    extension(OID.keyUsage, true, der.namedBits([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT])),
    extension(OID.extKeyUsage, false, der.seq(...usages.map(der.oid))),
    subjectKeyId,
    extension(OID.authorityKeyIdentifier, false, der.seq(der.implicit(0, req.issuer!.keyIdentifier))),
  ];
  if (req.sans.length > 0)
    extensions.push(extension(OID.subjectAltName, false, der.seq(...req.sans.map(generalName))));
  return extensions;
}

/** GeneralName: [7] iPAddress or [2] dNSName. */
function generalName(value: string): der.Node {
  return isIpSan(value) ? der.implicit(7, der.ipBytes(value)) : der.implicit(2, value);
}

function toPem(certificate: Buffer): string {
  const lines = certificate.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
