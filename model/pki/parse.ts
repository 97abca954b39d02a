// Reading certificates back with Node's native X.509 parser (fast enough to run on every entry each run).
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { CertEntry } from './types.ts';

export type CertFacts = Pick<CertEntry, 'commonName' | 'organization' | 'sans' | 'notAfter' | 'serial'>;

/** Subject, SANs, expiry and serial as written in the certificate. */
export function describeCert(certPem: string): CertFacts {
  const cert = new X509Certificate(certPem);
  const subject = parseDn(cert.subject);
  return {
    commonName: subject.CN ?? '',
    ...(subject.O ? { organization: subject.O } : {}),
    sans: parseSans(cert.subjectAltName),
    notAfter: new Date(cert.validTo).toISOString(),
    serial: cert.serialNumber.toLowerCase(),
  };
}

/** A bundle entry from a certificate and key read back (e.g. from an /etc/kubernetes/ssl directory).
 *  The signer is the issuer's CN: both CAs of the set are named after their CN. */
export function entryFromPem(name: string, certPem: string, keyPem: string): CertEntry {
  return { name, ...describeCert(certPem), certPem, keyPem, signer: issuerCommonName(certPem) };
}

/** True when `certPem` names `caPem` as issuer and carries a valid signature by its key. */
export function isIssuedBy(certPem: string, caPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}

/** The subject CN of the certificate's issuer. */
export function issuerCommonName(certPem: string): string {
  return parseDn(new X509Certificate(certPem).issuer).CN ?? '';
}

/** True when the private key belongs to the certificate. */
export function keyMatchesCert(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}

function parseDn(dn: string): Record<string, string> {
  return Object.fromEntries(
    dn.split('\n').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at), part.slice(at + 1)];
    }),
  );
}

function parseSans(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName.split(', ').map((entry) => entry.replace(/^(DNS|IP Address):/, ''));
}
