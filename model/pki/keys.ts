// Private keys with Node's native crypto (far faster than node-forge's pure-JS generator).
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import { createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { CertKeyAlgorithm } from '../spec/types.ts';

const generate = promisify(generateKeyPair);

export const DEFAULT_KEY_ALGORITHM: CertKeyAlgorithm = 'RSA-2048';

/** A new private key as PEM: RSA as PKCS#1 ("RSA PRIVATE KEY", like RKE), ECDSA as SEC1 ("EC PRIVATE KEY", like kubeadm). */
export async function newPrivateKeyPem(algorithm: CertKeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<string> {
  const [type, size] = algorithm.split('-') as ['RSA' | 'ECDSA', string];
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  const { privateKey } =
    type === 'RSA'
      ? await generate('rsa', {
          modulusLength: Number(size),
          publicKeyEncoding,
          privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        })
      : await generate('ec', {
          namedCurve: size === 'P256' ? 'prime256v1' : 'secp384r1',
          publicKeyEncoding,
          privateKeyEncoding: { type: 'sec1', format: 'pem' },
        });
  return privateKey;
}

/** `count` new keys, generated concurrently on libuv's thread pool. */
export function newPrivateKeyPems(count: number, algorithm?: CertKeyAlgorithm): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, () => newPrivateKeyPem(algorithm)));
}

/** The SPKI public key PEM of a private key PEM (PKCS#1, SEC1 or PKCS#8). */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}
