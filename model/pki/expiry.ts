// Certificate expiry per name, and a chain check usable by activities and tests.
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import { isIssuedBy, keyMatchesCert } from './parse.ts';
import type { CertBundle } from './types.ts';

/** notAfter (ISO time) per certificate name. */
export function certExpiry(bundle: CertBundle): Record<string, string> {
  return Object.fromEntries(Object.values(bundle).map((entry) => [entry.name, entry.notAfter]));
}

/** Problems in the bundle: a certificate not signed by its signer, or a key that does not match. */
export function verifyChain(bundle: CertBundle): string[] {
  return Object.values(bundle).flatMap((entry) => {
    const problems: string[] = [];
    const signer = bundle[entry.signer];
    if (!signer) problems.push(`${entry.name}: signer ${entry.signer} is missing`);
    else if (!isIssuedBy(entry.certPem, signer.certPem))
      problems.push(`${entry.name}: not signed by ${entry.signer}`);
    if (!keyMatchesCert(entry.certPem, entry.keyPem))
      problems.push(`${entry.name}: key does not match the certificate`);
    return problems;
  });
}
