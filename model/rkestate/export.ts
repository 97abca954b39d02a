// zke's record of a cluster (spec, certificate bundle, encryption config) as RKE's `cluster.rkestate`.
// Each certificate entry is built as RKE's `ToCertObject` (pki/util.go) builds it; kube-admin as
// `GenerateKubeAdminCertificate` (pki/services.go) does. Both states are the applied one.
import { ADMIN_NAME, APISERVER_NAME, CA_NAME, SERVICE_ACCOUNT_NAME } from '../pki/catalog.ts';
import {
  adminKubeconfig,
  certPath,
  componentKubeconfig,
  keyPath,
  kubeconfigPath,
} from '../pki/kubeconfig.ts';
import type { CertBundle, CertEntry } from '../pki/types.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { rkeConfigOf } from './rke-config.ts';
import type { CertificatePki, RkeFullState, RkeState } from './types.ts';

export interface ExportInput {
  spec: ClusterSpec;
  bundle: CertBundle;
  /** The EncryptionConfiguration file the API servers read; absent when secrets encryption is off. */
  encryptionConfig?: string;
  /** Where kube-admin's kubeconfig is written beside cluster.yml (RKE: `./kube_config_<file>`). */
  adminKubeconfigPath?: string;
}

export function toRkeState(input: ExportInput): RkeFullState {
  const state: RkeState = {
    rkeConfig: rkeConfigOf(input.spec),
    certificatesBundle: certificatesBundle(input),
    ...(input.encryptionConfig ? { encryptionConfig: input.encryptionConfig } : {}),
  };
  return { desiredState: state, currentState: structuredClone(state) };
}

function certificatesBundle(input: ExportInput): Record<string, CertificatePki> {
  const entries = Object.values(input.bundle).map((entry) => [entry.name, certificatePki(entry)] as const);
  const bundle = Object.fromEntries(entries);
  const admin = bundle[ADMIN_NAME];
  const server = apiServerUrl(input.spec);
  if (admin && server) {
    admin.config = adminKubeconfig(input.bundle, server, input.spec.clusterName);
    admin.configPath = input.adminKubeconfigPath ?? './kube_config_cluster.yml';
  } else if (admin) admin.config = '';
  return bundle;
}

/** RKE's `ToCertObject`: env names and paths from the name; a component kubeconfig for client certificates. */
export function certificatePki(entry: CertEntry): CertificatePki {
  const envName = entry.name.toUpperCase().replaceAll('-', '_');
  const withConfig = hasComponentKubeconfig(entry.name);
  return {
    certificatePEM: entry.certPem,
    keyPEM: entry.keyPem,
    config: withConfig ? componentKubeconfig(entry.name) : '',
    name: entry.name,
    ...stateNames(entry.name),
    envName,
    path: certPath(entry.name),
    keyEnvName: `${envName}_KEY`,
    keyPath: keyPath(entry.name),
    configEnvName: withConfig ? `KUBECFG_${envName}` : '',
    configPath: withConfig ? kubeconfigPath(entry.name) : '',
  };
}

/** The commonName and ouName fields RKE records (the arguments of its ToCertObject calls, not read from the
 *  certificate): "system:<name>" unless the call names them. */
const NAMED: Record<string, { commonName: string; ouName: string }> = {
  'kube-node': { commonName: 'system:node', ouName: 'system:nodes' },
  [ADMIN_NAME]: { commonName: ADMIN_NAME, ouName: 'system:masters' },
  [SERVICE_ACCOUNT_NAME]: { commonName: SERVICE_ACCOUNT_NAME, ouName: '' },
};

function stateNames(name: string): { commonName: string; ouName: string } {
  return NAMED[name] ?? { commonName: `system:${name}`, ouName: '' };
}

/** RKE's rule, by name: no kubeconfig for the CA, the API server, etcd, kubelets and the token key. */
function hasComponentKubeconfig(name: string): boolean {
  return (
    name !== CA_NAME &&
    name !== APISERVER_NAME &&
    name !== SERVICE_ACCOUNT_NAME &&
    !name.includes('kube-etcd') &&
    !name.includes('kube-kubelet')
  );
}

/** The first controlplane host, as RKE's kube-admin config names it. */
function apiServerUrl(spec: ClusterSpec): string | undefined {
  const cp = spec.nodes.find((n) => n.roles.includes('controlplane'));
  return cp ? `https://${cp.address}:6443` : undefined;
}
