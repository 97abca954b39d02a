// Preflight port checks (RKE's `[network]` checks): which ports each host must have free for zke's services,
// and which ports of which peers it must reach. Pure; the "port check" step runs it (activities/portCheck.ts).
import { usesVxlan } from '../addons/flannel.ts';
import { type ClusterSpec, type NodeSpec, type Role, runsFlannel } from '../spec/types.ts';

export type Protocol = 'tcp' | 'udp';

export interface ServicePort {
  readonly port: number;
  readonly protocol: Protocol;
  /** What listens there once provisioned, in words ("etcd client"). */
  readonly service: string;
  /** The zke container that owns the port: when it runs on the host, the port is zke's, not taken. */
  readonly owner: string;
}

/** A peer's port, at the address (its internal one) its services listen on. */
export type PortProbe = ServicePort & { readonly host: string; readonly address: string };

/** The ports that must be free (or zke's) on `host`, and the peers' ports it must reach. */
export type HostPortCheck = {
  readonly host: string;
  readonly listen: readonly ServicePort[];
  readonly probes: readonly PortProbe[];
};

const ETCD_CLIENT: ServicePort = { port: 2379, protocol: 'tcp', service: 'etcd client', owner: 'etcd' };
const ETCD_PEER: ServicePort = { port: 2380, protocol: 'tcp', service: 'etcd peer', owner: 'etcd' };
const KUBE_API: ServicePort = {
  port: 6443,
  protocol: 'tcp',
  service: 'kube-apiserver',
  owner: 'kube-apiserver',
};
const KUBELET: ServicePort = { port: 10250, protocol: 'tcp', service: 'kubelet', owner: 'kubelet' };
/** The kernel's VXLAN socket flannel sets up once kubelet runs its pod: 8472, or flannel_backend_port. */
function vxlan(spec: ClusterSpec): ServicePort[] {
  if (!runsFlannel(spec.network.plugin) || !usesVxlan(spec.network)) return [];
  const port = Number(spec.network.options.flannel_backend_port) || 8472;
  return [{ port, protocol: 'udp', service: 'flannel VXLAN', owner: 'kubelet' }];
}

/** Every zke host runs the worker plane (kubelet), whatever its roles. */
function hostPorts(spec: ClusterSpec, node: NodeSpec): ServicePort[] {
  return [
    ...(node.roles.includes('etcd') ? [ETCD_CLIENT, ETCD_PEER] : []),
    ...(node.roles.includes('controlplane') ? [KUBE_API] : []),
    KUBELET,
    ...vxlan(spec),
  ];
}

const toPeers = (peers: readonly NodeSpec[], ports: readonly ServicePort[]): PortProbe[] =>
  peers.flatMap((peer) => ports.map((p) => ({ ...p, host: peer.name, address: peer.internalAddress })));

/** etcd ↔ etcd, control plane → etcd and → kubelets, every host → API servers and → VXLAN peers. */
function hostProbes(spec: ClusterSpec, node: NodeSpec): PortProbe[] {
  const others = spec.nodes.filter((n) => n.name !== node.name);
  const withRole = (role: Role) => others.filter((n) => n.roles.includes(role));
  return [
    ...(node.roles.includes('etcd') ? toPeers(withRole('etcd'), [ETCD_PEER]) : []),
    ...(node.roles.some((r) => r === 'etcd' || r === 'controlplane')
      ? toPeers(withRole('etcd'), [ETCD_CLIENT])
      : []),
    ...(node.roles.includes('controlplane') ? toPeers(others, [KUBELET]) : []),
    ...toPeers(withRole('controlplane'), [KUBE_API]),
    ...toPeers(others, vxlan(spec)),
  ];
}

export function portChecks(spec: ClusterSpec): HostPortCheck[] {
  return spec.nodes.map((node) => ({
    host: node.name,
    listen: hostPorts(spec, node),
    probes: hostProbes(spec, node),
  }));
}

/** "2379/tcp (etcd client)" */
export const describePort = (p: ServicePort) => `${p.port}/${p.protocol} (${p.service})`;
