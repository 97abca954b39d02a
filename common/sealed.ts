// Encryption at rest for the cluster store: AES-256-GCM with the current keyring key (key id recorded).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Keyring } from './keyring.ts';

export interface Sealed {
  keyId: string;
  iv: string;
  data: string;
  tag: string;
}

export function seal(ring: Keyring, plain: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(ring, ring.current), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return {
    keyId: ring.current,
    iv: iv.toString('base64'),
    data: data.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

export function unseal(ring: Keyring, sealed: Sealed): string {
  const decipher = createDecipheriv(
    'aes-256-gcm',
    keyOf(ring, sealed.keyId),
    Buffer.from(sealed.iv, 'base64'),
  );
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString(
    'utf8',
  );
}

function keyOf(ring: Keyring, id: string): Buffer {
  const key = ring.keys[id];
  if (!key) throw new Error(`encryption key "${id}" is not in the keyring`);
  return Buffer.from(key, 'base64');
}
