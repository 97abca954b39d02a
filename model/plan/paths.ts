// Paths on hosts and inside containers. prefix_path moves zke's own directories (certs, etcd data,
// snapshots); shared system paths (/var/lib/kubelet, /etc/cni, /run, ...) stay where the host's tools expect them.

export const KUBERNETES_DIR = '/etc/kubernetes';
export const SSL_DIR = `${KUBERNETES_DIR}/ssl`;
export const ETCD_DATA_HOST_DIR = '/var/lib/etcd';
export const ETCD_DATA_DIR = '/var/lib/zke/etcd';
export const SNAPSHOT_HOST_DIR = '/opt/zke/etcd-snapshots';
export const CRI_DOCKERD_SOCKET = 'unix:///var/run/cri-dockerd.sock';
export const KUBELET_DOCKER_CONFIG = '/var/lib/kubelet/config.json';

/** `path` under the host's prefix_path ("/" leaves it unchanged). */
export function hostPath(prefix: string, path: string): string {
  const base = prefix.replace(/\/+$/, '');
  return `${base}${path}`;
}

export const certFile = (name: string) => `${SSL_DIR}/${name}.pem`;
export const keyFile = (name: string) => `${SSL_DIR}/${name}-key.pem`;
export const kubeconfigFile = (name: string) => `${SSL_DIR}/kubecfg-${name}.yaml`;

/** Host part of a URL: IPv6 addresses go in brackets. */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
