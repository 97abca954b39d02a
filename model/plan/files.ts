// Files per host, by reference (§2.3 "deployed to"): the PKI renders certificates, keys and kubeconfigs by name;
// renderTextFile renders named texts. Modes as the PKI writes them.
import { kubeletCertName } from '../pki/catalog.ts';
import type { ClusterSpec, NodeSpec, Role } from '../spec/types.ts';
import { apiserverHardening } from './apiserver-config.ts';
import { etcdCertName } from './etcd.ts';
import { certFile, hostPath, KUBELET_DOCKER_CONFIG, keyFile, kubeconfigFile } from './paths.ts';
import type { PlannedFile } from './types.ts';

export const FILE_MODES = { cert: 0o644, key: 0o600, kubeconfig: 0o600, text: 0o600 } as const;

type Audience = 'all' | 'controlplane';

/** Which hosts get a certificate, its key, and a kubeconfig for it. */
const DEPLOYED: readonly { name: string; cert: Audience; key?: Audience; kubeconfig?: true }[] = [
  { name: 'kube-ca', cert: 'all', key: 'controlplane' },
  { name: 'kube-apiserver-requestheader-ca', cert: 'controlplane', key: 'controlplane', kubeconfig: true },
  { name: 'kube-apiserver', cert: 'controlplane', key: 'controlplane' },
  { name: 'kube-service-account-token', cert: 'controlplane', key: 'controlplane' },
  { name: 'kube-controller-manager', cert: 'controlplane', key: 'controlplane', kubeconfig: true },
  { name: 'kube-scheduler', cert: 'controlplane', key: 'controlplane', kubeconfig: true },
  { name: 'kube-proxy', cert: 'all', key: 'all', kubeconfig: true },
  { name: 'kube-node', cert: 'all', key: 'all', kubeconfig: true },
  { name: 'kube-apiserver-proxy-client', cert: 'controlplane', key: 'controlplane', kubeconfig: true },
];

export const KUBELET_DOCKER_CONFIG_TEXT = 'kubelet-docker-config';

function reaches(audience: Audience | undefined, roles: readonly Role[]): boolean {
  return audience === 'all' || (audience !== undefined && roles.includes(audience));
}

function certAndKey(prefix: string, name: string, withKey: boolean, kubeconfig: boolean): PlannedFile[] {
  const files: PlannedFile[] = [
    { path: hostPath(prefix, certFile(name)), mode: FILE_MODES.cert, content: { kind: 'cert', name } },
  ];
  if (withKey)
    files.push({
      path: hostPath(prefix, keyFile(name)),
      mode: FILE_MODES.key,
      content: { kind: 'key', name },
    });
  if (kubeconfig) {
    const path = hostPath(prefix, kubeconfigFile(name));
    files.push({ path, mode: FILE_MODES.kubeconfig, content: { kind: 'kubeconfig', name } });
  }
  return files;
}

/** With etcd's uid/gid, the host's own etcd certificate and key belong to that user (etcd reads them). */
function ownedByEtcd(spec: ClusterSpec, node: NodeSpec, file: PlannedFile): PlannedFile {
  const { user } = spec.services.etcd;
  return user && file.content.name === etcdCertName(node) ? { ...file, owner: user } : file;
}

export function hostFiles(spec: ClusterSpec, node: NodeSpec): PlannedFile[] {
  const prefix = spec.prefixPath;
  const fixed = DEPLOYED.filter((d) => reaches(d.cert, node.roles)).flatMap((d) =>
    certAndKey(prefix, d.name, reaches(d.key, node.roles), d.kubeconfig === true),
  );
  const etcd = node.roles.includes('etcd')
    ? spec.nodes
        .filter((n) => n.roles.includes('etcd'))
        .flatMap((n) => certAndKey(prefix, etcdCertName(n), true, false))
        .map((f) => ownedByEtcd(spec, node, f))
    : [];
  const serving = spec.services.kubelet.generateServingCertificate
    ? certAndKey(prefix, kubeletCertName(node), true, false)
    : [];
  const registryAuth = spec.privateRegistries.some((r) => r.user !== undefined)
    ? [
        {
          path: KUBELET_DOCKER_CONFIG,
          mode: FILE_MODES.text,
          content: { kind: 'text', name: KUBELET_DOCKER_CONFIG_TEXT },
        } as const,
      ]
    : [];
  const apiserverConfig = node.roles.includes('controlplane') ? apiserverHardening(spec).files : [];
  return [...fixed, ...etcd, ...serving, ...registryAuth, ...apiserverConfig];
}
