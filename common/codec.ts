// AES-256-GCM payload codec: every payload the client and worker send to Temporal is encrypted, so history
// holds no plaintext (secrets are additionally kept out of payloads by passing store references).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Keyring } from './keyring.ts';

const ENCODING = 'binary/encrypted';
const te = new TextEncoder();
const td = new TextDecoder();

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.encrypt(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.decrypt(p));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.ring.current;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(keyId), iv);
    const plain = Buffer.from(encodePayload(payload));
    const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: te.encode(ENCODING), 'encryption-key-id': te.encode(keyId) }, data: body };
  }

  private decrypt(payload: Payload): Payload {
    if (td.decode(payload.metadata?.encoding ?? new Uint8Array()) !== ENCODING) return payload;
    const keyId = td.decode(payload.metadata?.['encryption-key-id'] ?? new Uint8Array());
    const data = Buffer.from(payload.data ?? new Uint8Array());
    const decipher = createDecipheriv('aes-256-gcm', this.key(keyId), data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    return decodePayload(plain);
  }

  private key(id: string): Buffer {
    const key = this.ring.keys[id];
    if (!key) throw new Error(`payload encryption key "${id}" is not in the keyring`);
    return Buffer.from(key, 'base64');
  }
}

// Payload <-> bytes as JSON with base64 fields: simple and dependency-free.
function encodePayload(p: Payload): string {
  const metadata = Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return JSON.stringify({ metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') });
}

function decodePayload(bytes: Buffer): Payload {
  const raw = JSON.parse(bytes.toString('utf8')) as { metadata: Record<string, string>; data: string };
  const metadata = Object.fromEntries(
    Object.entries(raw.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  );
  return { metadata, data: new Uint8Array(Buffer.from(raw.data, 'base64')) };
}
