// The PKI input of the benchmark's clusters (bench/pki.ts, bench/pkiPhases.ts, the fan-out's certificates):
// name "bench", default service CIDR and cluster domain, no extra SANs.
import type { PkiInput, PkiNode } from '../model/pki/index.ts';

export function benchPkiInput(nodes: PkiNode[], now: string): PkiInput {
  return {
    clusterName: 'bench',
    nodes,
    extraSans: [],
    serviceCidr: '10.43.0.0/16',
    clusterDomain: 'cluster.local',
    now,
  };
}

export interface PkiSize {
  nodes: number;
  etcd: number;
  controlplane: number;
}

/** A synthetic cluster: the first `etcd` / `controlplane` nodes carry those roles, the others are workers. */
export function syntheticCluster(size: PkiSize): PkiInput {
  const nodes: PkiNode[] = Array.from({ length: size.nodes }, (_, i) => ({
    name: `node-${i}`,
    address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    internalAddress: `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    roles: [
      ...(i < size.etcd ? (['etcd'] as const) : []),
      ...(i < size.controlplane ? (['controlplane'] as const) : []),
      ...(i >= size.controlplane ? (['worker'] as const) : []),
    ],
  }));
  return benchPkiInput(nodes, '2025-01-01T00:00:00Z');
}
