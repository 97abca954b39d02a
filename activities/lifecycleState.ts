// Day-2 bookkeeping in the cluster store: the applied revision, the etcd member list as it changes during an
// operation, certificate expiry, and the outcome of scheduled runs.
import { ApplicationFailure } from '@temporalio/common';
import { olderEtcd } from '../model/plan/etcdVersion.ts';
import { type CurrentState, currentState, store } from './clusterState.ts';
import { NON_RETRYABLE } from './ssh/errors.ts';

/** The last successfully applied revision; day-2 operations need one. */
export async function appliedRevision(input: { cluster: string }): Promise<number> {
  const revision = currentState(input.cluster)?.revision;
  if (revision === undefined)
    throw ApplicationFailure.create({
      type: NON_RETRYABLE.spec,
      message: `cluster ${input.cluster} has not been provisioned yet (no applied revision)`,
      nonRetryable: true,
    });
  return revision;
}

/** Records the etcd members as they are now, so the next etcd container joins with the right peer list. */
export function recordEtcdMembers(cluster: string, members: string[]): void {
  updateCurrent(cluster, (before) => ({ ...before, etcdMembers: members }));
}

/** Records the etcd image `host` runs (found running, or reconciled): it bounds the next plan's etcd. */
export function recordEtcdImage(cluster: string, host: string, image: string): void {
  const recorded = currentState(cluster);
  if (recorded?.etcdImages?.[host] === image && recorded.etcdOrigin === olderEtcd(recorded.etcdOrigin, image))
    return;
  updateCurrent(cluster, (before) => ({
    ...before,
    etcdImages: { ...before.etcdImages, [host]: image },
    etcdOrigin: olderEtcd(before.etcdOrigin, image),
  }));
}

/** Changes the cluster's state record without losing another worker's change to it (store.update). */
function updateCurrent(cluster: string, change: (before: CurrentState) => CurrentState): void {
  store().update<CurrentState>(cluster, 'current', (before) => change(before ?? { phase: 'provisioning' }));
}

/** notAfter per certificate name, as the last certificates step wrote it. */
export async function certificateExpiry(input: { cluster: string }): Promise<Record<string, string>> {
  return store().read<Record<string, string>>(input.cluster, 'pki-expiry') ?? {};
}

export interface ScheduledRun {
  operation: string;
  outcome: string;
  at: string;
}

/** Keeps the last outcomes of a cluster's scheduled runs (started, skipped: busy, skipped: not due). */
export async function recordScheduledRun(input: { cluster: string } & ScheduledRun): Promise<void> {
  const key = 'scheduled-runs';
  const { operation, outcome, at } = input;
  store().update<ScheduledRun[]>(input.cluster, key, (runs = []) =>
    [...runs, { operation, outcome, at }].slice(-50),
  );
}
