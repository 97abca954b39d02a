// Reads a workflow's full history the way an operator with the keyring could: every payload decoded.
// Used to prove that no key material travels through Temporal even after decryption.
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../common/codec.ts';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { keyringPath } from '../../common/temporal.ts';

export const KEY_MATERIAL = /PRIVATE KEY|client-key-data|keyPem/;

function isPayload(v: unknown): v is Payload {
  return typeof v === 'object' && v !== null && 'metadata' in v && 'data' in v;
}

function collectPayloads(node: unknown, out: Payload[]): void {
  if (isPayload(node)) out.push(node);
  else if (Array.isArray(node)) for (const item of node) collectPayloads(item, out);
  else if (node && typeof node === 'object') for (const v of Object.values(node)) collectPayloads(v, out);
}

const codec = () => new EncryptionCodec(loadOrCreateKeyring(keyringPath()));

/** Payloads decrypted and parsed as JSON (undefined for an empty one). */
export async function decodedJson(payloads: Payload[]): Promise<unknown[]> {
  const decoded = await codec().decode(payloads);
  return decoded.map((p) => (p.data?.length ? JSON.parse(Buffer.from(p.data).toString('utf8')) : undefined));
}

/** The raw history as text, and the text of every payload after decryption. */
export async function historyTexts(
  client: Client,
  workflowId: string,
): Promise<{ raw: string; decoded: string }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const payloads: Payload[] = [];
  collectPayloads(history, payloads);
  const decoded = await codec().decode(payloads);
  const text = (p: Payload) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8');
  return {
    raw: payloads.map(text).join('\n') + JSON.stringify(history.events?.map((e) => e.eventType)),
    decoded: decoded.map(text).join('\n'),
  };
}
