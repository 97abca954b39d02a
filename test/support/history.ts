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

/** One step as a workflow ran it: its name (the ClusterPhase it set) and the hosts its activities ran on. */
export interface ExecutedStep {
  name: string;
  hosts: string[];
}

const PHASE_ENDS = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * The steps a workflow ran, in order, read from its history: each ClusterPhase upsert opens a step, and the
 * activities scheduled until the next one are its own (their decoded input's `host`, or `hosts`).
 */
export async function executedSteps(client: Client, workflowId: string): Promise<ExecutedStep[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const steps: { name: string; hosts: Set<string> }[] = [];
  for (const event of events) {
    const phase =
      event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.ClusterPhase;
    if (phase?.data) {
      const value = JSON.parse(Buffer.from(phase.data).toString('utf8')) as string | string[];
      const name = Array.isArray(value) ? value[0] : value;
      if (name && !PHASE_ENDS.has(name)) steps.push({ name, hosts: new Set() });
      continue;
    }
    const input = event.activityTaskScheduledEventAttributes?.input?.payloads;
    const step = steps.at(-1);
    if (!input?.length || !step) continue;
    const [arg] = (await decodedJson([input[0]!])) as { host?: string; hosts?: string[] }[];
    for (const host of [...(arg?.host ? [arg.host] : []), ...(arg?.hosts ?? [])]) step.hosts.add(host);
  }
  return steps.map((s) => ({ name: s.name, hosts: [...s.hosts].sort() }));
}

/** The steps a dry-run lists, in the shape `executedSteps` reads them back: name and hosts (sorted). */
export const ranAs = (planned: readonly { name: string; hosts: readonly string[] }[]): ExecutedStep[] =>
  planned.map((s) => ({ name: s.name, hosts: [...s.hosts].sort() }));

/** The hosts a dry-run line names after " on " ("worker plane: rolling, … on n2, n3"); none for "on the worker". */
export function lineHosts(line: string): string[] {
  const hosts = /^[^:]+: .* on (.*)$/.exec(line)?.[1];
  return hosts && hosts !== 'the worker' ? hosts.split(', ') : [];
}

/** What an API dry-run listed (its `phases`, and the hosts each line of `steps` names). */
export function dryRunSteps(dry: { phases: string[]; steps: string[] }): ExecutedStep[] {
  return ranAs(
    dry.phases.map((name) => ({
      name,
      hosts: lineHosts(dry.steps.find((l) => l.startsWith(`${name}: `)) ?? ''),
    })),
  );
}
