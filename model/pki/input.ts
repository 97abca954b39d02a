// The PKI's view of a cluster spec: its nodes, extra SANs, service range and domain, validity and key type.
import type { ClusterSpec } from '../spec/types.ts';
import type { PkiInput } from './types.ts';

export function pkiInputOf(spec: ClusterSpec, now: string): PkiInput {
  return {
    clusterName: spec.clusterName,
    nodes: spec.nodes.map((n) => ({
      name: n.name,
      address: n.address,
      internalAddress: n.internalAddress,
      roles: [...n.roles],
    })),
    extraSans: [...spec.authentication.sans],
    serviceCidr: spec.network.serviceCidr,
    clusterDomain: spec.network.clusterDomain,
    validityDays: spec.certValidityDays,
    keyAlgorithm: spec.certKeyAlgorithm,
    kubeletServingCerts: spec.services.kubelet.generateServingCertificate,
    now,
  };
}
