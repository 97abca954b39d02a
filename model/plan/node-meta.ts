// Node labels and taints: `node-role.kubernetes.io/<role>=true` per role; RKE's taints for hosts that do not
// run workloads (no worker or edge role).
import type { NodeSpec, Taint } from '../spec/types.ts';

const ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';

const ROLE_TAINTS: readonly { role: 'etcd' | 'controlplane'; taint: Taint }[] = [
  { role: 'etcd', taint: { key: `${ROLE_LABEL_PREFIX}etcd`, value: 'true', effect: 'NoExecute' } },
  {
    role: 'controlplane',
    taint: { key: `${ROLE_LABEL_PREFIX}controlplane`, value: 'true', effect: 'NoSchedule' },
  },
];

export function runsWorkloads(node: NodeSpec): boolean {
  return node.roles.includes('worker') || node.roles.includes('edge');
}

/** The user's labels, then one label per role (roles win). */
export function nodeLabels(node: NodeSpec): Record<string, string> {
  const roles = Object.fromEntries(node.roles.map((role) => [`${ROLE_LABEL_PREFIX}${role}`, 'true']));
  return { ...node.labels, ...roles };
}

export function roleTaints(node: NodeSpec): Taint[] {
  if (runsWorkloads(node)) return [];
  return ROLE_TAINTS.filter((t) => node.roles.includes(t.role)).map((t) => t.taint);
}

export function nodeTaints(node: NodeSpec): Taint[] {
  return [...roleTaints(node), ...node.taints];
}

/** key=value:Effect, as kubelet's --register-with-taints takes it. */
export function taintFlag(taint: Taint): string {
  return `${taint.key}=${taint.value}:${taint.effect}`;
}
