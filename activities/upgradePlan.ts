// Step "plan changes" of upgrade/rollback: which hosts are new, which are gone, which etcd members stay, join
// or leave, and the rolling bounds. A change that would replace every etcd member at once is refused.
import { ApplicationFailure } from '@temporalio/common';
import { type AddonName, addonsFor } from '../model/addons/index.ts';
import { maxUnavailable } from '../model/plan/bounds.ts';
import type { ClusterSpec, Role } from '../model/spec/types.ts';
import { currentState, loadSpec, type RevisionRef } from './clusterState.ts';
import { NON_RETRYABLE } from './ssh/errors.ts';

export interface PlannedHost {
  name: string;
  roles: string[];
  /** Not provisioned before: no Kubernetes node to cordon yet. */
  isNew: boolean;
}

export interface TopologyChanges {
  hosts: PlannedHost[];
  /** Provisioned before, not in the spec any more. */
  removedHosts: string[];
  etcd: { keep: string[]; add: string[]; remove: string[] };
}

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
  /** Addons after rbac and network, in order. */
  addons: AddonName[];
}

export class EtcdPlaneReplaced extends Error {}

export function topologyChanges(
  spec: ClusterSpec,
  state: { hosts?: readonly string[]; etcdMembers?: readonly string[] },
): TopologyChanges {
  const before = new Set(state.hosts ?? []);
  const members = state.etcdMembers ?? [];
  const names = new Set(spec.nodes.map((n) => n.name));
  const etcdNodes = spec.nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.name);
  const keep = etcdNodes.filter((n) => members.includes(n));
  if (members.length > 0 && keep.length === 0)
    throw new EtcdPlaneReplaced(
      `the spec replaces every etcd member at once (now: ${members.join(', ')}; planned: ${etcdNodes.join(', ') || 'none'}); ` +
        'keep at least one current etcd host and change the others one run at a time, or restore from a snapshot',
    );
  return {
    hosts: spec.nodes.map((n) => ({ name: n.name, roles: [...n.roles], isNew: !before.has(n.name) })),
    removedHosts: [...before].filter((h) => !names.has(h)),
    etcd: {
      keep,
      add: members.length ? etcdNodes.filter((n) => !members.includes(n)) : [],
      remove: members.filter((n) => !etcdNodes.includes(n)),
    },
  };
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
  const count = (role: Role) => spec.nodes.filter((n) => n.roles.includes(role)).length;
  const strategy = spec.upgradeStrategy;
  return {
    ...changes,
    cluster: ref.cluster,
    revision: ref.revision,
    fromRevision: state?.revision,
    maxUnavailableControlplane: maxUnavailable(strategy.maxUnavailableControlplane, count('controlplane')),
    maxUnavailableWorker: maxUnavailable(strategy.maxUnavailableWorker, count('worker')),
    drain: strategy.drain,
    drainTimeoutSeconds: strategy.nodeDrainInput.timeout,
    maxParallelHosts: spec.maxParallelHosts,
    ignoreDockerVersion: spec.ignoreDockerVersion,
    addons: addonsFor(spec).filter((a) => a !== 'rbac' && a !== 'network'),
  };
}
