// The ordered steps of `up` (§2.1) and the hosts each one touches.
import type { ClusterSpec } from '../spec/types.ts';
import type { HostPlan, PlanPhase } from './types.ts';

export const PHASE_CONTAINERS = {
  etcd: ['etcd', 'etcd-rolling-snapshots'],
  controlplane: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  worker: ['nginx-proxy', 'cri-dockerd', 'kubelet', 'kube-proxy'],
} as const;

const names = (hosts: readonly HostPlan[]) => hosts.map((h) => h.name);
const withRole = (hosts: readonly HostPlan[], role: 'etcd' | 'controlplane') =>
  hosts.filter((h) => h.roles.includes(role));

export function planPhases(
  spec: ClusterSpec,
  hosts: readonly HostPlan[],
  removedHosts: readonly string[],
): PlanPhase[] {
  const all = names(hosts);
  const phases: (PlanPhase | false)[] = [
    {
      name: 'connect',
      description: 'SSH to every host, check Docker',
      order: 'parallel',
      hosts: all,
      containers: [],
    },
    !spec.disablePortCheck && {
      name: 'port-check',
      description: 'check etcd, apiserver and kubelet ports between hosts',
      order: 'parallel',
      hosts: all,
      containers: [],
    },
    {
      name: 'certificates',
      description: 'write certificates and kubeconfigs',
      order: 'parallel',
      hosts: all,
      containers: [],
    },
    {
      name: 'etcd',
      description: 'etcd members, one host at a time, then a health check',
      order: 'sequential',
      hosts: names(withRole(hosts, 'etcd')),
      containers: PHASE_CONTAINERS.etcd,
    },
    {
      name: 'controlplane',
      description: 'kube-apiserver, kube-controller-manager, kube-scheduler',
      order: 'rolling',
      hosts: names(withRole(hosts, 'controlplane')),
      containers: PHASE_CONTAINERS.controlplane,
      maxUnavailable: spec.upgradeStrategy.maxUnavailableControlplane,
    },
    {
      name: 'authz',
      description: 'RBAC for nodes and the job deployer',
      order: 'cluster',
      hosts: [],
      containers: [],
    },
    {
      name: 'worker',
      description: 'nginx-proxy, cri-dockerd, kubelet, kube-proxy on every host',
      order: 'rolling',
      hosts: all,
      containers: PHASE_CONTAINERS.worker,
      maxUnavailable: spec.upgradeStrategy.maxUnavailableWorker,
    },
    {
      name: 'labels-taints',
      description: 'sync node labels and taints',
      order: 'cluster',
      hosts: all,
      containers: [],
    },
    {
      name: 'addons',
      description: 'network plugin, DNS, metrics-server, ingress',
      order: 'cluster',
      hosts: [],
      containers: [],
    },
    removedHosts.length > 0 && {
      name: 'cleanup',
      description: 'remove zke containers and files from hosts no longer in the spec',
      order: 'parallel',
      hosts: removedHosts,
      containers: [],
    },
  ];
  return phases.filter((p): p is PlanPhase => p !== false);
}
