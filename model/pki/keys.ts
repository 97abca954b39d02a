// RSA keys with Node's native crypto (far faster than node-forge's pure-JS generator).
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
import { createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

/** A new RSA 2048 private key as PKCS#1 PEM ("RSA PRIVATE KEY", like RKE writes). */
export async function newPrivateKeyPem(): Promise<string> {
  const { privateKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return privateKey;
}

/** `count` new keys, generated concurrently on libuv's thread pool. */
export function newPrivateKeyPems(count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, newPrivateKeyPem));
}

/** The SPKI public key PEM of a private key PEM (PKCS#1 or PKCS#8). */
export function publicKeyPemOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
}
