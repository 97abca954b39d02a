// buildPlan: a pure function of the spec and what is known about the running cluster.
import { describeAddons } from '../addons/index.ts';
import type { ClusterSpec, NodeSpec } from '../spec/types.ts';
import { DEFAULT_KUBERNETES_VERSION, findVersion } from '../versions.ts';
import { rollingBounds } from './bounds.ts';
import type { HostContext } from './container.ts';
import { controlplaneContainers } from './controlplane.ts';
import { etcdContainers } from './etcd.ts';
import { chooseEtcd } from './etcdVersion.ts';
import { hostFiles } from './files.ts';
import { nodeLabels, nodeTaints } from './node-meta.ts';
import { type ApplyLayout, provisionPlan, upgradePlanSteps } from './steps.ts';
import { EtcdPlaneReplaced, topologyChanges } from './topology.ts';
import type { ClusterPlan, HostPlan, PlanState } from './types.ts';
import { workerContainers } from './worker.ts';

function hostPlan(ctx: HostContext): HostPlan {
  const { node } = ctx;
  return {
    name: node.name,
    address: node.address,
    internalAddress: node.internalAddress,
    roles: node.roles,
    containers: [...etcdContainers(ctx), ...controlplaneContainers(ctx), ...workerContainers(ctx)],
    files: hostFiles(ctx.spec, node),
    nodeLabels: nodeLabels(node),
    nodeTaints: nodeTaints(node),
  };
}

export function buildPlan(spec: ClusterSpec, state: PlanState = {}): ClusterPlan {
  const table = findVersion(spec.kubernetesVersion) ?? findVersion(DEFAULT_KUBERNETES_VERSION)!;
  const running = spec.nodes.filter((n) => n.roles.includes('etcd')).map((n) => state.etcdImages?.[n.name]);
  const etcd = chooseEtcd(
    spec.systemImages.etcd,
    running.filter((i) => i !== undefined),
    state.etcdOrigin,
  );
  const version = etcd.flags
    ? { ...table, defaultFlags: { ...table.defaultFlags, etcd: etcd.flags } }
    : table;
  const withRole = (role: NodeSpec['roles'][number]) => spec.nodes.filter((n) => n.roles.includes(role));
  const shared = {
    spec,
    version,
    etcdImage: etcd.image,
    etcdNodes: withRole('etcd'),
    controlplanes: withRole('controlplane'),
    etcdMembers: new Set(state.etcdMembers ?? []),
  };
  const hosts = spec.nodes.map((node) => hostPlan({ ...shared, node }));
  const removedHosts = removedOf(spec, state);
  const plan = {
    clusterName: spec.clusterName,
    kubernetesVersion: version.version,
    hosts,
    removedHosts,
    addons: describeAddons(spec),
    ...(etcd.note ? { notes: [etcd.note] } : {}),
  };
  if (!state.hosts?.length) return { ...plan, steps: provisionPlan({ ...spec, hosts }) };
  try {
    return { ...plan, steps: upgradePlanSteps(applyLayout(spec, state)) };
  } catch (err) {
    if (!(err instanceof EtcdPlaneReplaced)) throw err;
    return { ...plan, steps: [], refusal: err.message };
  }
}

/** What applying `spec` to a provisioned cluster depends on; throws EtcdPlaneReplaced when it is refused. */
export function applyLayout(spec: ClusterSpec, state: PlanState): ApplyLayout {
  const { etcd, hosts, removedHosts } = topologyChanges(spec, state);
  const bounds = rollingBounds(spec.nodes, spec.upgradeStrategy);
  return { ...spec, ...bounds, hosts, removedHosts, etcd };
}

/** Hosts provisioned before that the spec no longer has. */
function removedOf(spec: ClusterSpec, state: PlanState): string[] {
  const planned = new Set(spec.nodes.map((n) => n.name));
  return (state.hosts ?? []).filter((name) => !planned.has(name));
}
