// Private keys with Node's native crypto (far faster than node-forge's pure-JS generator).
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { DEFAULTS } from '../spec/defaults.ts';
import type { CertKeyAlgorithm } from '../spec/types.ts';

const generate = promisify(generateKeyPair);

/** A new private key as PEM: RSA as PKCS#1 ("RSA PRIVATE KEY", like RKE), ECDSA as SEC1 ("EC PRIVATE KEY", like kubeadm). */
export async function newPrivateKeyPem(
  algorithm: CertKeyAlgorithm = DEFAULTS.certKeyAlgorithm,
): Promise<string> {
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
