// Which revision a rollback returns to, and which etcd snapshot it restores: read from the cluster store by the
// rollback workflow's activities and by its dry-run alike.
import type { ClusterStore } from './store.ts';

/** A rollback that cannot run: its message says why. */
export class RollbackRefused extends Error {}

export interface UpgradeSnapshot {
  revision: number;
  fromRevision: number;
  snapshot: string;
}

interface StateOfRevisions {
  revision?: number;
  lastOperation?: { phase: string; revision?: number };
}

const numbers = (store: ClusterStore, cluster: string, prefix: string) =>
  store
    .keys(cluster, prefix)
    .map((k) => Number(k.slice(prefix.length)))
    .filter(Number.isInteger)
    .sort((a, b) => a - b);

/** The stored revision numbers with this key prefix (`revision/`, `pki-at/`, …), ascending. */
export { numbers as storedNumbers };

/**
 * The revision to return to: the given one; else, after a failed upgrade or rollback, the applied revision;
 * else the revision applied before the current one.
 */
export function rollbackTarget(store: ClusterStore, cluster: string, toRevision?: number): number {
  if (toRevision !== undefined) return toRevision;
  const state = store.read<StateOfRevisions>(cluster, 'current');
  const applied = state?.revision;
  if (applied === undefined)
    throw new RollbackRefused(`cluster ${cluster} has no applied revision to roll back from`);
  const last = state?.lastOperation;
  if (last && last.phase !== 'succeeded' && last.revision !== undefined && last.revision !== applied)
    return applied;
  const earlier = numbers(store, cluster, 'pki-at/').filter((n) => n < applied);
  const fallback = numbers(store, cluster, 'revision/').filter((n) => n < applied);
  const target = earlier.at(-1) ?? fallback.at(-1);
  if (target === undefined)
    throw new RollbackRefused(`cluster ${cluster} has no revision before ${applied} to roll back to`);
  return target;
}

/** The snapshot taken by the latest upgrade that started from `revision`. */
export function snapshotBefore(store: ClusterStore, cluster: string, revision: number): string {
  const found = numbers(store, cluster, 'upgrade-snapshot/')
    .map((n) => store.read<UpgradeSnapshot>(cluster, `upgrade-snapshot/${n}`))
    .filter((r) => r?.fromRevision === revision)
    .at(-1);
  if (!found) throw new RollbackRefused(`no etcd snapshot was taken by an upgrade from revision ${revision}`);
  return found.snapshot;
}
