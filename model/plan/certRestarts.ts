// Which containers must restart to read changed certificates (they read their files only when they start).
// Pure: certificate names in, container names of one host out, in the plan's start order.
import { kubeletCertName } from '../pki/catalog.ts';
import { etcdCertName } from './etcd.ts';
import type { HostPlan } from './types.ts';

const CA = 'kube-ca';
const CERTS_DIR = '/etc/kubernetes';

/** Certificate → the containers that load it (kube-node is also kube-apiserver's etcd client certificate). */
const USERS: Readonly<Record<string, readonly string[]>> = {
  'kube-apiserver': ['kube-apiserver'],
  'kube-apiserver-requestheader-ca': ['kube-apiserver'],
  'kube-apiserver-proxy-client': ['kube-apiserver'],
  'kube-service-account-token': ['kube-apiserver', 'kube-controller-manager'],
  'kube-node': ['kubelet', 'kube-apiserver'],
  'kube-controller-manager': ['kube-controller-manager'],
  'kube-scheduler': ['kube-scheduler'],
  'kube-proxy': ['kube-proxy'],
};

export const isCertsBind = (bind: string) => bind.split(':')[1] === CERTS_DIR;
const readsCerts = (binds: readonly string[]) => binds.some(isCertsBind);

export function containersToRestart(host: HostPlan, changedCerts: readonly string[]): string[] {
  const changed = new Set(changedCerts);
  const ownEtcdCert = etcdCertName(host);
  const names = new Set<string>();
  for (const cert of changed) for (const name of USERS[cert] ?? []) names.add(name);
  if (changed.has(ownEtcdCert)) names.add('etcd');
  if (changed.has(kubeletCertName(host))) names.add('kubelet');
  return host.containers
    .filter((c) => names.has(c.name) || (changed.has(CA) && readsCerts(c.binds)))
    .map((c) => c.name);
}
