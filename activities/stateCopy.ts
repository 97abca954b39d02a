// The cluster's own sealed copy of zke's record (common/stateCopy.ts) on its etcd and control plane hosts: written
// after each operation, read back by `zke recover` when the record is lost.
import { existingKeyring, loadOrCreateKeyring } from '../common/keyring.ts';
import {
  collectStateCopy,
  openStateCopy,
  STATE_COPY_PATH,
  type StateCopy,
  sealStateCopy,
} from '../common/stateCopy.ts';
import { keyringPath } from '../common/temporal.ts';
import type { ClusterSpec, NodeSpec } from '../model/spec/types.ts';
import { currentState, latestSpec, store } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { now } from './deps.ts';
import { sshTarget, withSession } from './hostSession.ts';
import { readRemoteFile, syncFiles } from './ssh/files.ts';

/** The hosts that keep the copy: etcd and control plane. */
function keepers(spec: ClusterSpec): NodeSpec[] {
  return spec.nodes.filter((n) => n.roles.includes('etcd') || n.roles.includes('controlplane'));
}

/** `fn` on every keeper at once: what each one gave, and `host: why` for each that failed. */
async function onKeepers<T>(spec: ClusterSpec, fn: (node: NodeSpec) => Promise<T>) {
  const nodes = keepers(spec);
  const results = await Promise.allSettled(nodes.map(fn));
  return {
    done: results.flatMap((r, i) =>
      r.status === 'fulfilled' ? [{ host: nodes[i]!.name, value: r.value }] : [],
    ),
    failed: results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${nodes[i]!.name}: ${(r.reason as Error).message}`] : [],
    ),
  };
}

/** The cluster's record as it is now, sealed with this worker's keyring (also sent beside S3 snapshots). */
export function sealedRecord(cluster: string): string {
  return sealStateCopy(
    loadOrCreateKeyring(keyringPath()),
    collectStateCopy(store(), cluster, now().toISOString()),
  );
}

export interface SavedCopies {
  saved: string[];
  /** `host: why` for each host the copy could not be written to. */
  failed: string[];
}

/**
 * Writes the copy to every keeper of the applied revision (skipped until a revision is applied: an adoption that
 * only compared, a first provision that failed). A host that cannot be reached is reported, not retried: the
 * next operation writes it again.
 */
export async function saveStateCopy(input: { cluster: string }): Promise<SavedCopies> {
  const revision = currentState(input.cluster)?.revision;
  if (revision === undefined) return { saved: [], failed: [] };
  const spec = latestSpec(input.cluster, revision);
  const file = { path: STATE_COPY_PATH, mode: 0o600, content: sealedRecord(input.cluster) };
  const { done, failed } = await withHeartbeat(() =>
    onKeepers(spec, (node) => withSession(sshTarget(input.cluster, spec, node), (s) => syncFiles(s, [file]))),
  );
  return { saved: done.map((d) => d.host), failed };
}

export interface FoundCopy {
  host: string;
  /** The host key the connection met (compared with the copy's pin before anything is written). */
  hostKey: string;
  copy: StateCopy;
}

/** The copy each keeper of `spec` holds, opened with this machine's keyring; `host: why` for the others. */
export async function readStateCopies(spec: ClusterSpec): Promise<{ found: FoundCopy[]; failed: string[] }> {
  const file = keyringPath();
  const ring = existingKeyring(file);
  const { done, failed } = await onKeepers(spec, (node) =>
    withSession(sshTarget(spec.clusterName, spec, node), async (s) => {
      const text = await readRemoteFile(s, STATE_COPY_PATH);
      if (text === undefined) throw new Error(`no state copy at ${STATE_COPY_PATH}`);
      const copy = openStateCopy(ring, text.toString('utf8'), STATE_COPY_PATH, file);
      return { host: node.name, hostKey: s.hostKey, copy };
    }),
  );
  return { found: done.map((d) => d.value), failed };
}
