// `zke encrypt rotate-key`: the stored secrets encryption keys moved through the rotation's stages
// (model/plan/apiserver-config.ts rotationKeys), and every Secret written back under the new key. The keys
// never leave the store: results name them only.
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import { ENCRYPTION_KEYS_RECORD, type EncryptionKeysRecord } from '../common/stateExport.ts';
import {
  type EncryptionKey,
  type KeyRotationStage,
  keyRotationRefusal,
  rotationKeys,
} from '../model/plan/index.ts';
import { loadSpec, type RevisionRef, store } from './clusterState.ts';
import { lastHeartbeat, withHeartbeat } from './context.ts';
import { now } from './deps.ts';
import type { KubeClient, KubeObject } from './kube/client.ts';
import { withKube } from './kube/session.ts';
import { listSnapshots } from './snapshot.ts';

/**
 * Puts the keys of `stage` in the store (the next deploy writes them to encryption.yaml); idempotent. The first
 * stage makes the new key, unless a rotation is under way (an earlier one that stopped): then it goes on with
 * that one. Dropping the old key when no rotation is under way changes nothing (it already happened).
 */
export async function stageEncryptionKey(
  input: RevisionRef & { stage: KeyRotationStage },
): Promise<{ keys: string[] }> {
  const record = store().read<EncryptionKeysRecord>(input.cluster, ENCRYPTION_KEYS_RECORD);
  const refusal = keyRotationRefusal(input.cluster, loadSpec(input), (record?.keys.length ?? 0) > 0);
  if (refusal || !record) throw ApplicationFailure.create({ message: refusal, nonRetryable: true });
  const names = (keys: EncryptionKey[]) => ({ keys: keys.map((k) => k.name) });
  if (!record.rotation && input.stage === 'old key dropped') return names(record.keys);
  const rotation = record.rotation ?? { from: record.keys[0]!.name, to: `zke-${now().getTime()}` };
  const old = record.keys.find((k) => k.name === rotation.from);
  const next = record.keys.find((k) => k.name === rotation.to) ?? newKey(rotation.to, input.stage);
  if (!old) throw ApplicationFailure.create({ message: `key ${rotation.from} is gone`, nonRetryable: true });
  const keys = rotationKeys(input.stage, old, next);
  const done = input.stage === 'old key dropped';
  const retired = done ? [...(record.retired ?? []).filter((k) => k.name !== old.name), old] : record.retired;
  store().write(input.cluster, ENCRYPTION_KEYS_RECORD, {
    keys,
    ...(done ? {} : { rotation }),
    ...(retired?.length ? { retired } : {}),
  });
  return names(keys);
}

/**
 * A restored snapshot's Secrets are sealed with the keys of its time: those become the keys again, the first of
 * them writing. The keys in use since are kept as retired or, with `keepCurrent`, still read (listed after the
 * snapshot's): a rollback deploys the keys before it restores etcd, and until then the API servers must still
 * read what the current keys sealed. Returns the keys in use after it and whether they changed; a snapshot that
 * recorded no keys, or the same ones, changes nothing.
 */
export async function restoreEncryptionKeys(
  input: RevisionRef & { snapshot: string; keepCurrent?: boolean },
): Promise<{ keys: string[]; changed: boolean }> {
  const record = store().read<EncryptionKeysRecord>(input.cluster, ENCRYPTION_KEYS_RECORD);
  const wanted = listSnapshots(input.cluster).find((s) => s.name === input.snapshot)?.encryptionKeys;
  const current = (record?.keys ?? []).map((k) => k.name);
  if (!record || !wanted?.length) return { keys: current, changed: false };
  const known = [...record.keys, ...(record.retired ?? [])];
  const missing = wanted.filter((name) => !known.some((k) => k.name === name));
  if (missing.length)
    throw ApplicationFailure.create({
      message: `snapshot ${input.snapshot} was taken under encryption key(s) ${missing.join(', ')}, which zke no longer has: its Secrets could not be read`,
      nonRetryable: true,
    });
  const inUse = [...wanted, ...(input.keepCurrent ? current.filter((name) => !wanted.includes(name)) : [])];
  if (inUse.join() === current.join()) return { keys: current, changed: false };
  const keys = inUse.map((name) => known.find((k) => k.name === name)!);
  const retired = known.filter((k) => !inUse.includes(k.name));
  store().write(input.cluster, ENCRYPTION_KEYS_RECORD, { keys, ...(retired.length ? { retired } : {}) });
  return { keys: inUse, changed: true };
}

/** Only the first stage makes a key: a later stage without it means the store lost it. */
function newKey(name: string, stage: KeyRotationStage): EncryptionKey {
  if (stage !== 'new key readable')
    throw ApplicationFailure.create({ message: `the new key ${name} is not stored`, nonRetryable: true });
  return { name, secret: randomBytes(32).toString('base64') };
}

export interface RewriteResult {
  /** Secrets written back. */
  rewritten: number;
  /** Secrets changed or deleted by someone else meanwhile (their writer stored them under the new key). */
  skipped: number;
}

interface RewriteProgress extends RewriteResult {
  /** Where the listing goes on (the API's continue token); '' at the start. */
  next: string;
}

const PAGE = 100;
/** Writes in flight at once (each its own channel of the one SSH connection). */
const AT_ONCE = 8;

/**
 * Every Secret read and written back unchanged (with its resourceVersion: a concurrent change answers 409 and
 * is left alone), a page at a time; the heartbeat carries the position, so a retry goes on from there.
 */
export async function rewriteSecrets(input: RevisionRef): Promise<RewriteResult> {
  const spec = loadSpec(input);
  const resumed = lastHeartbeat();
  let at: RewriteProgress = resumed?.startsWith('{')
    ? (JSON.parse(resumed) as RewriteProgress)
    : { next: '', rewritten: 0, skipped: 0 };
  return withHeartbeat((note) =>
    withKube(input.cluster, spec, async (kube) => {
      do {
        const page = await listSecrets(kube, at.next);
        const results: boolean[] = [];
        for (let i = 0; i < page.items.length; i += AT_ONCE)
          results.push(
            ...(await Promise.all(page.items.slice(i, i + AT_ONCE).map((s) => writeBack(kube, s)))),
          );
        const rewritten = results.filter(Boolean).length;
        at = {
          next: page.next,
          rewritten: at.rewritten + rewritten,
          skipped: at.skipped + results.length - rewritten,
        };
        note(JSON.stringify(at));
      } while (at.next);
      return { rewritten: at.rewritten, skipped: at.skipped };
    }),
  );
}

async function listSecrets(kube: KubeClient, next: string): Promise<{ items: KubeObject[]; next: string }> {
  const query = `limit=${PAGE}${next ? `&continue=${encodeURIComponent(next)}` : ''}`;
  const res = await kube.request('GET', `/api/v1/secrets?${query}`);
  // the continue token expired (etcd compacted past it): list from the start again, as RKE does
  if (res.status === 410 && next) return listSecrets(kube, '');
  if (res.status >= 300) throw new Error(`list secrets: ${res.status} ${res.body.slice(0, 300)}`);
  const list = JSON.parse(res.body) as { items: KubeObject[]; metadata: { continue?: string } };
  return { items: list.items, next: list.metadata.continue ?? '' };
}

/** True when written back; false when changed (409) or deleted (404) since it was listed. */
async function writeBack(kube: KubeClient, secret: KubeObject): Promise<boolean> {
  const { namespace = 'default', name } = secret.metadata;
  const path = `/api/v1/namespaces/${namespace}/secrets/${encodeURIComponent(name)}`;
  const res = await kube.request('PUT', path, { ...secret, apiVersion: 'v1', kind: 'Secret' });
  if (res.status === 409 || res.status === 404) return false;
  if (res.status >= 300)
    throw new Error(`rewrite secret ${namespace}/${name}: ${res.status} ${res.body.slice(0, 300)}`);
  return true;
}
