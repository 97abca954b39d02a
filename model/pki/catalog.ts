// The certificate set of zke/RKE as data (research notes §2.3): names, subjects, usages, signers,
// SANs, who receives which file, and which RKE service rotation re-issues which certificate.
import { fixedSans, hostSans, kubernetesServiceIp, orderSans } from './sans.ts';
import type { PkiInput, PkiNode } from './types.ts';

/** 'server' certificates are client + server. */
export type CertKind = 'ca' | 'client' | 'server';
/** Which nodes receive a file: every node, nodes with that role, the node it names (`self`), or none (kept locally). */
export type Audience = 'all' | 'controlplane' | 'etcd' | 'self' | 'none';

export interface Placement {
  certTo: Audience;
  keyTo: Audience;
  /** A `kubecfg-<name>.yaml` goes with the certificate. */
  kubeconfig: boolean;
}

interface CertRow extends Placement {
  commonName: string;
  organization?: string;
  kind: CertKind;
  /** The CA that signs it; a CA names itself. */
  signer: string;
  /** RKE `cert rotate --service` names that re-issue it. */
  services: string[];
  /** On creation, reuse this certificate's key (kube-node reuses kube-proxy's key in both tools). */
  keyFrom?: string;
  /** On creation, copy this certificate and key (fresh clusters: service-account token = kube-apiserver). */
  copyOf?: string;
  /** Only the key matters (service-account token): subject or SAN drift never re-issues it. */
  keyOnly?: boolean;
  /** Left out of a rotation without services, so existing service-account tokens stay valid. */
  keptOnRotation?: boolean;
}

export interface CertSpec extends CertRow {
  name: string;
  /** SANs of a newly issued certificate. */
  sans: string[];
  /** When set, a kept certificate must contain these SANs; otherwise its SANs must equal `sans`. */
  requiredSans?: string[];
}

export const CA_NAME = 'kube-ca';
export const REQUESTHEADER_CA_NAME = 'kube-apiserver-requestheader-ca';
export const APISERVER_NAME = 'kube-apiserver';
export const SERVICE_ACCOUNT_NAME = 'kube-service-account-token';
export const ADMIN_NAME = 'kube-admin';
export const ETCD_PREFIX = 'kube-etcd-';
export const KUBELET_PREFIX = 'kube-kubelet-';

const CP_ONLY = { certTo: 'controlplane', keyTo: 'controlplane' } as const;
const EVERYWHERE = { certTo: 'all', keyTo: 'all', kubeconfig: true } as const;

/** Fixed certificates in generation order (CAs first; a `keyFrom`/`copyOf` source before its user). */
const FIXED_ROWS: Record<string, CertRow> = {
  [CA_NAME]: {
    commonName: CA_NAME,
    kind: 'ca',
    signer: CA_NAME,
    services: [],
    certTo: 'all',
    keyTo: 'controlplane',
    kubeconfig: false,
  },
  [REQUESTHEADER_CA_NAME]: {
    commonName: REQUESTHEADER_CA_NAME,
    kind: 'ca',
    signer: REQUESTHEADER_CA_NAME,
    services: [],
    ...CP_ONLY,
    kubeconfig: true,
  },
  [APISERVER_NAME]: {
    commonName: APISERVER_NAME,
    kind: 'server',
    signer: CA_NAME,
    services: ['kube-apiserver'],
    ...CP_ONLY,
    kubeconfig: false,
  },
  [SERVICE_ACCOUNT_NAME]: {
    commonName: SERVICE_ACCOUNT_NAME,
    kind: 'client',
    signer: CA_NAME,
    services: [],
    ...CP_ONLY,
    kubeconfig: false,
    copyOf: APISERVER_NAME,
    keyOnly: true,
    keptOnRotation: true,
  },
  'kube-controller-manager': {
    commonName: 'system:kube-controller-manager',
    kind: 'client',
    signer: CA_NAME,
    services: ['kube-controller-manager'],
    ...CP_ONLY,
    kubeconfig: true,
  },
  'kube-scheduler': {
    commonName: 'system:kube-scheduler',
    kind: 'client',
    signer: CA_NAME,
    services: ['kube-scheduler'],
    ...CP_ONLY,
    kubeconfig: true,
  },
  'kube-proxy': {
    commonName: 'system:kube-proxy',
    kind: 'client',
    signer: CA_NAME,
    services: ['kube-proxy'],
    ...EVERYWHERE,
  },
  'kube-node': {
    commonName: 'system:node',
    organization: 'system:nodes',
    kind: 'client',
    signer: CA_NAME,
    services: ['kubelet'],
    ...EVERYWHERE,
    keyFrom: 'kube-proxy',
  },
  [ADMIN_NAME]: {
    commonName: ADMIN_NAME,
    organization: 'system:masters',
    kind: 'client',
    signer: CA_NAME,
    services: [],
    certTo: 'none',
    keyTo: 'none',
    kubeconfig: false,
  },
  'kube-apiserver-proxy-client': {
    commonName: 'kube-apiserver-proxy-client',
    kind: 'server',
    signer: REQUESTHEADER_CA_NAME,
    services: [],
    ...CP_ONLY,
    kubeconfig: true,
  },
};

const ETCD_ROW: CertRow = {
  commonName: 'kube-etcd',
  kind: 'server',
  signer: CA_NAME,
  services: ['etcd'],
  certTo: 'etcd',
  keyTo: 'etcd',
  kubeconfig: false,
};

/** A kubelet's serving certificate (RKE's `generate_serving_certificate`). RKE sends every node's to every node;
 *  zke sends each node its own only. */
const KUBELET_ROW: CertRow = {
  commonName: '',
  kind: 'server',
  signer: CA_NAME,
  services: ['kubelet'],
  certTo: 'self',
  keyTo: 'self',
  kubeconfig: false,
};

export const ROTATABLE_SERVICES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
];

/** `kube-etcd-<internal address with . → ->` (RKE `GetCrtNameForHost`). */
export function etcdCertName(node: Pick<PkiNode, 'address' | 'internalAddress'>): string {
  return ETCD_PREFIX + (node.internalAddress || node.address).replaceAll('.', '-').replaceAll(':', '-');
}

export function isEtcdCertName(name: string): boolean {
  return name.startsWith(ETCD_PREFIX);
}

/** `kube-kubelet-<internal address with . → ->`, lower case (RKE `GetCrtNameForHost`). */
export function kubeletCertName(node: Pick<PkiNode, 'address' | 'internalAddress'>): string {
  return KUBELET_PREFIX + (node.internalAddress || node.address).replace(/[.:]/g, '-').toLowerCase();
}

/** Who receives a certificate of this name; undefined for names outside the set. */
export function placementOf(name: string): Placement | undefined {
  if (name.startsWith(KUBELET_PREFIX)) return KUBELET_ROW;
  return FIXED_ROWS[name] ?? (isEtcdCertName(name) ? ETCD_ROW : undefined);
}

/** Every certificate the cluster needs, in generation order. */
export function certCatalog(input: PkiInput): CertSpec[] {
  const fixed = fixedSans(kubernetesServiceIp(input.serviceCidr), input.clusterDomain);
  const controlplanes = input.nodes.filter((n) => n.roles.includes('controlplane'));
  const etcds = input.nodes.filter((n) => n.roles.includes('etcd'));
  const apiserverSans = orderSans([...controlplanes.flatMap(hostSans), ...input.extraSans, ...fixed]);
  const etcdSans = orderSans([...etcds.flatMap(hostSans), ...fixed]);
  const specs = Object.entries(FIXED_ROWS).map(([name, row]) => ({
    ...row,
    name,
    sans: name === APISERVER_NAME ? apiserverSans : [],
  }));
  const etcdSpecs = etcds.map((node) => ({
    ...ETCD_ROW,
    name: etcdCertName(node),
    sans: etcdSans,
    requiredSans: orderSans([...hostSans(node), ...fixed]),
  }));
  const kubeletSpecs = input.kubeletServingCerts ? input.nodes.map(kubeletSpec) : [];
  return [...specs, ...uniqueNames(etcdSpecs), ...uniqueNames(kubeletSpecs)];
}

/** Named after its node, for the node's own names (RKE `GetIPHostAltnamesForHost`). */
function kubeletSpec(node: PkiNode): CertSpec {
  const name = kubeletCertName(node);
  return { ...KUBELET_ROW, name, commonName: name, sans: orderSans(hostSans(node)) };
}

function uniqueNames(specs: CertSpec[]): CertSpec[] {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new Error(`two hosts share the certificate name ${spec.name}`);
    seen.add(spec.name);
  }
  return specs;
}
