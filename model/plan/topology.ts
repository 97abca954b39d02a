// What a change of hosts does to a provisioned cluster (pure): which hosts are new, which are gone, and which
// etcd members stay, join or leave. A change that would replace every etcd member at once is refused.
import type { ClusterSpec } from '../spec/types.ts';

export interface PlannedHost {
  name: string;
  roles: string[];
  /** Not provisioned before: no Kubernetes node to cordon yet. */
  isNew: boolean;
}

export interface EtcdChanges {
  keep: string[];
  add: string[];
  remove: string[];
}

export interface TopologyChanges {
  hosts: PlannedHost[];
  /** Provisioned before, not in the spec any more. */
  removedHosts: string[];
  etcd: EtcdChanges;
}

/** The refusal of a spec that leaves no current etcd member (the cluster's data would be lost). */
export class EtcdPlaneReplaced extends Error {}

export function topologyChanges(
  spec: Pick<ClusterSpec, 'nodes'>,
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

/** The order etcd hosts roll in: kept members, then joining ones; a cluster without members starts them all. */
export function etcdRollOrder(etcd: EtcdChanges, etcdHosts: readonly string[]): string[] {
  return etcd.keep.length || etcd.add.length ? [...etcd.keep, ...etcd.add] : [...etcdHosts];
}
