// RKE's state file shape, written by hand from RKE's own source (rancher/rke at 40c5dd46, 2024-10-04):
// cluster/state.go `FullState`/`State` and pki/pki.go `CertificatePKI` (json tags; `json:"-"` fields
// are never written), with the derived values of pki/util.go `ToCertObject`, `GetCertPath`,
// `GetKeyPath`, `GetConfigPath`, `getEnvFromName`, `getKeyEnvFromEnv`, `getConfigEnvFromEnv`.

/** FullState's fields. */
export const FULL_STATE_FIELDS = ['desiredState', 'currentState'];

/** State's fields (`encryptionConfig` is omitempty). */
export const STATE_FIELDS = ['rkeConfig', 'certificatesBundle', 'encryptionConfig'];

/** CertificatePKI's written fields, in struct order. */
export const CERTIFICATE_PKI_FIELDS = [
  'certificatePEM',
  'keyPEM',
  'config',
  'name',
  'commonName',
  'ouName',
  'envName',
  'path',
  'keyEnvName',
  'keyPath',
  'configEnvName',
  'configPath',
];

/** What RKE writes besides the PEMs for a component with a kubeconfig (ToCertObject; commonName and ouName
 *  are its arguments, "system:" + name by default (getDefaultCN), not the certificate's subject). */
export const RKE_CONTROLLER_MANAGER = {
  name: 'kube-controller-manager',
  commonName: 'system:kube-controller-manager',
  ouName: '',
  envName: 'KUBE_CONTROLLER_MANAGER',
  path: '/etc/kubernetes/ssl/kube-controller-manager.pem',
  keyEnvName: 'KUBE_CONTROLLER_MANAGER_KEY',
  keyPath: '/etc/kubernetes/ssl/kube-controller-manager-key.pem',
  configEnvName: 'KUBECFG_KUBE_CONTROLLER_MANAGER',
  configPath: '/etc/kubernetes/ssl/kubecfg-kube-controller-manager.yaml',
};

/** ... and for an etcd member (GetCrtNameForHost: "kube-etcd-" + address with dashes): no kubeconfig. */
export const RKE_ETCD_MEMBER = {
  name: 'kube-etcd-10-0-0-1',
  commonName: 'system:kube-etcd-10-0-0-1',
  ouName: '',
  envName: 'KUBE_ETCD_10_0_0_1',
  path: '/etc/kubernetes/ssl/kube-etcd-10-0-0-1.pem',
  keyEnvName: 'KUBE_ETCD_10_0_0_1_KEY',
  keyPath: '/etc/kubernetes/ssl/kube-etcd-10-0-0-1-key.pem',
  config: '',
  configEnvName: '',
  configPath: '',
};

/** ... and for kube-admin (GenerateKubeAdminCertificate): organization system:masters, its kubeconfig beside
 *  cluster.yml (GetLocalKubeConfig) embedding the certificates, pointing at the first controlplane. */
export const RKE_KUBE_ADMIN = {
  name: 'kube-admin',
  commonName: 'kube-admin',
  ouName: 'system:masters',
  envName: 'KUBE_ADMIN',
  keyEnvName: 'KUBE_ADMIN_KEY',
  configEnvName: 'KUBECFG_KUBE_ADMIN',
  configPath: './kube_config_cluster.yml',
};

/** RKE's cluster.yml for the tests: one host, RKE keys. */
export const RKE_CLUSTER_YML = `cluster_name: adopt-me
nodes:
  - address: 10.0.0.1
    hostname_override: n1
    user: rke
    role: [etcd, controlplane, worker]
services:
  kube-api:
    secrets_encryption_config: {enabled: true}
`;
