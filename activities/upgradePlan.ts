// Step "plan changes" of upgrade/rollback: the pure decision of model/plan/topology.ts (new and removed hosts,
// etcd members kept, added, removed; a refusal is non-retryable) on the stored spec and state, with the bounds.
import { ApplicationFailure } from '@temporalio/common';
import { type AddonName, addonsFor, addonsToPrune } from '../model/addons/index.ts';
import { rollingBounds } from '../model/plan/bounds.ts';
import { EtcdPlaneReplaced, type TopologyChanges, topologyChanges } from '../model/plan/topology.ts';
import { currentState, loadSpec, type RevisionRef } from './clusterState.ts';
import { NON_RETRYABLE } from './ssh/errors.ts';

export interface UpgradePlan extends TopologyChanges {
  cluster: string;
  revision: number;
  /** The applied revision before this operation (its spec reaches removed hosts). */
  fromRevision?: number;
  maxUnavailableControlplane: number;
  maxUnavailableWorker: number;
  drain: boolean;
  drainTimeoutSeconds: number;
  maxParallelHosts: number;
  ignoreDockerVersion: boolean;
  disablePortCheck?: boolean;
  /** Addons after rbac and network, in order. */
  addons: AddonName[];
  /** Addons with objects the applied revision has and this one does not (absent in older results). */
  prunedAddons?: AddonName[];
  /** The settings of the rolling bounds, as written (absent in results recorded before they were added). */
  upgradeStrategy?: { maxUnavailableControlplane: string; maxUnavailableWorker: string };
}

export async function planUpgrade(ref: RevisionRef): Promise<UpgradePlan> {
  const spec = loadSpec(ref);
  const state = currentState(ref.cluster);
  let changes: TopologyChanges;
  try {
    changes = topologyChanges(spec, state ?? {});
  } catch (err) {
    if (!(err instanceof EtcdPlaneReplaced)) throw err;
    throw ApplicationFailure.create({ type: NON_RETRYABLE.spec, message: err.message, nonRetryable: true });
  }
  const strategy = spec.upgradeStrategy;
  return {
    ...changes,
    cluster: ref.cluster,
    revision: ref.revision,
    fromRevision: state?.revision,
    ...rollingBounds(spec.nodes, strategy),
    upgradeStrategy: {
      maxUnavailableControlplane: strategy.maxUnavailableControlplane,
      maxUnavailableWorker: strategy.maxUnavailableWorker,
    },
    drain: strategy.drain,
    drainTimeoutSeconds: strategy.nodeDrainInput.timeout,
    maxParallelHosts: spec.maxParallelHosts,
    ignoreDockerVersion: spec.ignoreDockerVersion,
    disablePortCheck: spec.disablePortCheck,
    addons: addonsFor(spec).filter((a) => a !== 'rbac' && a !== 'network'),
    prunedAddons:
      state?.revision === undefined
        ? []
        : addonsToPrune(loadSpec({ ...ref, revision: state.revision }), spec),
  };
}
