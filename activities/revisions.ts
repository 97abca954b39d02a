// Revisions for rollback: a rollback re-applies an earlier revision as a new one (linear history), with the
// certificates that revision ran with (`pki-at/<n>`, kept when a revision succeeds) and, on request, the etcd
// snapshot taken before the upgrade that left it (`upgrade-snapshot/<n>`).
import { ApplicationFailure } from '@temporalio/common';
import {
  RollbackRefused,
  rollbackTarget,
  snapshotBefore,
  storedNumbers,
  type UpgradeSnapshot,
} from '../common/rollback.ts';
import type { CertBundle } from '../model/pki/types.ts';
import { currentState, type StoredRevision, store } from './clusterState.ts';
import { now } from './deps.ts';
import { NON_RETRYABLE } from './ssh/errors.ts';

const numbers = (cluster: string, prefix: string) => storedNumbers(store(), cluster, prefix);

/** A store rule of common/rollback.ts, a refusal turned into a non-retryable failure. */
function refusing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof RollbackRefused)) throw err;
    throw ApplicationFailure.create({ type: NON_RETRYABLE.spec, message: err.message, nonRetryable: true });
  }
}

export interface RollbackRevision {
  from?: number;
  to: number;
  /** The new revision: a copy of `to`. */
  revision: number;
  /** With `withSnapshot`: the snapshot taken by the upgrade that left `to`. */
  snapshot?: string;
}

/** Stores revision `to` again as the next revision (once per workflow run: a retry finds its copy). */
export async function prepareRollback(input: {
  cluster: string;
  toRevision?: number;
  runId: string;
  withSnapshot?: boolean;
  requestedBy?: string;
}): Promise<RollbackRevision> {
  const { cluster, runId } = input;
  const to = refusing(() => rollbackTarget(store(), cluster, input.toRevision));
  const from = currentState(cluster)?.revision;
  const snapshot = input.withSnapshot ? refusing(() => snapshotBefore(store(), cluster, to)) : undefined;
  const by = input.requestedBy ? ` by ${input.requestedBy}` : '';
  const source = `rollback to revision ${to} (run ${runId})${by}`;
  const existing = numbers(cluster, 'revision/').find(
    (n) => store().read<StoredRevision>(cluster, `revision/${n}`)?.source === source,
  );
  if (existing !== undefined) return { from, to, revision: existing, snapshot };
  const original = store().read<StoredRevision>(cluster, `revision/${to}`);
  if (!original)
    return refusing(() => {
      throw new RollbackRefused(`cluster ${cluster} has no revision ${to}`);
    });
  const revision = Math.max(0, ...numbers(cluster, 'revision/')) + 1;
  const secrets = store().read(cluster, `secrets/${to}`);
  if (secrets) store().write(cluster, `secrets/${revision}`, secrets);
  store().write(cluster, `revision/${revision}`, {
    ...original,
    number: revision,
    createdAt: now().toISOString(),
    source,
  });
  return { from, to, revision, snapshot };
}

/** Puts back the certificates revision `revision` ran with; returns the names whose certificate changed. */
export async function restorePkiOf(input: {
  cluster: string;
  revision: number;
}): Promise<{ restored: boolean; changed: string[] }> {
  const saved = store().read<CertBundle>(input.cluster, `pki-at/${input.revision}`);
  if (!saved) return { restored: false, changed: [] };
  const current = store().read<CertBundle>(input.cluster, 'pki') ?? {};
  const changed = Object.keys(saved).filter((name) => current[name]?.serial !== saved[name].serial);
  if (changed.length) {
    store().write(input.cluster, `pki-history/${now().getTime()}`, current);
    store().write(input.cluster, 'pki', saved);
  }
  return { restored: true, changed };
}

export async function recordUpgradeSnapshot(input: { cluster: string } & UpgradeSnapshot): Promise<void> {
  const { cluster, ...record } = input;
  store().write(cluster, `upgrade-snapshot/${record.revision}`, record);
}
