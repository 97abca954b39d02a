// Defaults, as zke and RKE have them (deviations are noted).

export const DEFAULTS = {
  clusterName: 'local',
  /** zke's default user; RKE has none (it requires `user` per node). */
  sshUser: 'zcloud',
  sshPort: 22,
  sshKeyPath: '~/.ssh/id_rsa',
  dockerSocket: '/var/run/docker.sock',
  podCidr: '10.42.0.0/16',
  serviceCidr: '10.43.0.0/16',
  clusterDomain: 'cluster.local',
  dnsServiceIp: '10.43.0.10',
  networkPlugin: 'flannel',
  /** RKE's default plugin, for a file in RKE's format without `network.plugin`. */
  rkeNetworkPlugin: 'canal',
  flannelBackend: 'vxlan',
  dnsProvider: 'coredns',
  ingressProvider: 'nginx',
  /** zke always adds this selector, so ingress runs on `edge` nodes only. */
  ingressNodeSelector: { 'node-role.kubernetes.io/edge': 'true' },
  metricsProvider: 'metrics-server',
  /** No load balancer: Services of `type: LoadBalancer` stay pending, as in RKE. */
  loadBalancerProvider: 'none',
  etcdSnapshot: true,
  etcdSnapshotCreation: '12h',
  etcdSnapshotRetention: '72h',
  serviceNodePortRange: '30000-32767',
  authnStrategy: 'x509',
  authzMode: 'rbac',
  prefixPath: '/',
  maxUnavailableWorker: '10%',
  maxUnavailableControlplane: '1',
  drainGracePeriod: -1,
  drainTimeout: 120,
  maxParallelHosts: 50,
  certValidityDays: 3650,
  certKeyAlgorithm: 'RSA-2048',
} as const;
