// Operation bookkeeping: what the workflow needs to fan out (names and roles only), and the recorded outcome.

import type { OperationKind, OperationStatus } from '../common/operations.ts';
import { type AddonName, addonsFor } from '../model/addons/index.ts';
import {
  type CurrentState,
  currentState,
  loadSpec,
  type RevisionRef,
  runningAsSpecified,
  store,
} from './clusterState.ts';
import { now } from './deps.ts';

export interface ClusterLayout {
  cluster: string;
  hosts: { name: string; roles: string[] }[];
  maxParallelHosts: number;
  ignoreDockerVersion: boolean;
  disablePortCheck: boolean;
  /** Addons after rbac and network, in order. */
  addons: AddonName[];
}

export async function loadClusterLayout(ref: RevisionRef): Promise<ClusterLayout> {
  const spec = loadSpec(ref);
  return {
    cluster: ref.cluster,
    hosts: spec.nodes.map((n) => ({ name: n.name, roles: [...n.roles] })),
    maxParallelHosts: spec.maxParallelHosts,
    ignoreDockerVersion: spec.ignoreDockerVersion,
    disablePortCheck: spec.disablePortCheck,
    addons: addonsFor(spec).filter((a) => a !== 'rbac' && a !== 'network'),
  };
}

/** An adopted cluster taken over: zke records it as running the revision, with every host and etcd member. */
export async function recordAdoption(ref: RevisionRef): Promise<void> {
  const running = runningAsSpecified(loadSpec(ref));
  store().update<CurrentState>(ref.cluster, 'current', (before) => ({
    ...before,
    ...running,
    revision: ref.revision,
    phase: 'running',
  }));
}

export async function recordOperation(input: {
  cluster: string;
  revision?: number;
  kind: OperationKind;
  operationId?: string;
  status: OperationStatus;
  summary: string;
}): Promise<CurrentState> {
  const succeeded = input.status.phase === 'succeeded';
  if (succeeded && input.kind === 'remove') return { phase: 'removed' }; // the cluster is forgotten
  if (input.kind === 'adopt' && input.revision === undefined) {
    store().write(input.cluster, 'last-status', input.status); // a comparison only: zke manages nothing yet
    return currentState(input.cluster) ?? { phase: 'new' };
  }
  const spec =
    succeeded && input.revision !== undefined
      ? loadSpec({ cluster: input.cluster, revision: input.revision })
      : undefined;
  const next = store().update<CurrentState>(input.cluster, 'current', (before) => ({
    ...before,
    ...(spec && runningAsSpecified(spec)),
    revision: succeeded && input.revision !== undefined ? input.revision : before?.revision,
    phase: succeeded ? 'running' : before?.revision ? 'unavailable' : 'failed',
    lastOperation: {
      kind: input.kind,
      operationId: input.operationId,
      revision: input.revision,
      phase: input.status.phase,
      summary: input.summary,
      finishedAt: now().toISOString(),
    },
  }));
  store().write(input.cluster, 'last-status', input.status);
  // The certificates this revision runs with: a rollback to it restores them.
  const pki = succeeded && input.revision !== undefined && store().read(input.cluster, 'pki');
  if (pki) store().write(input.cluster, `pki-at/${input.revision}`, pki);
  return next;
}
