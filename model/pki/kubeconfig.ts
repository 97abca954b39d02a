// Kubeconfigs as RKE writes them (`GetKubeConfigX509`, `GetKubeConfigX509WithData`): components use file
// paths under /etc/kubernetes/ssl and https://127.0.0.1:6443 (nginx-proxy or the local kube-apiserver)
// with cluster name "local"; the admin kubeconfig embeds the CA, certificate and key.
import { parse, stringify } from 'yaml';
import { ADMIN_NAME, CA_NAME } from './catalog.ts';
import type { CertBundle } from './types.ts';

export const SSL_DIR = '/etc/kubernetes/ssl';
export const LOCAL_SERVER = 'https://127.0.0.1:6443';
export const LOCAL_CLUSTER = 'local';

export const certPath = (name: string) => `${SSL_DIR}/${name}.pem`;
export const keyPath = (name: string) => `${SSL_DIR}/${name}-key.pem`;
export const kubeconfigPath = (name: string) => `${SSL_DIR}/kubecfg-${name}.yaml`;

interface Credentials {
  ca: Record<string, string>;
  user: Record<string, string>;
}

/** `kubecfg-<name>.yaml` for a component certificate deployed on the node. */
export function componentKubeconfig(name: string): string {
  return kubeconfigYaml(LOCAL_SERVER, LOCAL_CLUSTER, name, {
    ca: { 'certificate-authority': certPath(CA_NAME) },
    user: { 'client-certificate': certPath(name), 'client-key': keyPath(name) },
  });
}

/** The local admin kubeconfig (`kube_config_cluster.yml`) with kube-admin's credentials embedded. */
export function adminKubeconfig(bundle: CertBundle, server: string, clusterName: string): string {
  const admin = required(bundle, ADMIN_NAME);
  return kubeconfigYaml(server, clusterName, ADMIN_NAME, {
    ca: { 'certificate-authority-data': base64(required(bundle, CA_NAME).certPem) },
    user: { 'client-certificate-data': base64(admin.certPem), 'client-key-data': base64(admin.keyPem) },
  });
}

/** kube-admin's certificate and key back from an admin kubeconfig, or undefined if it has none. */
export function adminCredentialsFrom(kubeconfig: string): { certPem: string; keyPem: string } | undefined {
  const user = parse(kubeconfig)?.users?.[0]?.user;
  const cert = user?.['client-certificate-data'];
  const key = user?.['client-key-data'];
  if (typeof cert !== 'string' || typeof key !== 'string') return undefined;
  return { certPem: unbase64(cert), keyPem: unbase64(key) };
}

function kubeconfigYaml(
  server: string,
  cluster: string,
  component: string,
  credentials: Credentials,
): string {
  const user = `${component}-${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster: { ...credentials.ca, server }, name: cluster }],
    contexts: [{ context: { cluster, user }, name: cluster }],
    'current-context': cluster,
    users: [{ name: user, user: credentials.user }],
  });
}

function required(bundle: CertBundle, name: string) {
  const entry = bundle[name];
  if (!entry) throw new Error(`the bundle has no ${name} certificate`);
  return entry;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const unbase64 = (text: string) => Buffer.from(text, 'base64').toString();
