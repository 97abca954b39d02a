// The supported Kubernetes versions as data: system images and default flags per container. The lab builds
// every image named here from source (lab/k8s/versions.sh pins the same versions).

export const IMAGE_KEYS = [
  'kubernetes',
  'etcd',
  'tools',
  'nginx_proxy',
  'pod_infra_container',
  'cri_dockerd',
  'flannel',
  'flannel_cni',
  'coredns',
  'metrics_server',
  'ingress',
  'metallb',
  'network_policy',
] as const;
export type ImageKey = (typeof IMAGE_KEYS)[number];
export type SystemImages = Readonly<Record<ImageKey, string>>;

/** Older image key names (RKE's `system_images`, zke's `image`) accepted as overrides. */
export const IMAGE_KEY_ALIASES: Readonly<Record<string, ImageKey>> = {
  alpine: 'tools',
  cert_downloader: 'tools',
  kubernetes_services_sidecar: 'tools',
};

/** Containers whose flags come partly from the version table. */
export const FLAG_CONTAINERS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
  'cri-dockerd',
] as const;
export type FlagContainer = (typeof FLAG_CONTAINERS)[number];
export type Flags = Readonly<Record<string, string>>;

export interface KubernetesVersion {
  readonly version: string;
  readonly images: SystemImages;
  readonly defaultFlags: Readonly<Record<FlagContainer, Flags>>;
}

const ADMISSION_PLUGINS = [
  'NamespaceLifecycle',
  'LimitRanger',
  'ServiceAccount',
  'DefaultStorageClass',
  'DefaultTolerationSeconds',
  'MutatingAdmissionWebhook',
  'ValidatingAdmissionWebhook',
  'ResourceQuota',
  'NodeRestriction',
  'Priority',
  'TaintNodesByCondition',
  'PersistentVolumeClaimResize',
].join(',');

/** etcd's flags that do not depend on the cluster's topology, for etcd `minor` (3.5, 3.6, 3.7). */
export function etcdDefaultFlags(minor: number): Flags {
  // progress notifications let the apiserver's watch cache advance for resources nobody writes; without them a
  // watch from a newer resourceVersion times out ("Too large resource version") and closes: 3 [Conformance] specs
  // failed (docs/conformance.md). The apiserver waits 3 s for its cache to catch up, so the interval must be
  // shorter: with 5s CSIStorageCapacity's watch still closed now and then. etcd 3.6 renamed the flag; 3.7 dropped
  // the old name.
  const progress =
    minor >= 6 ? 'watch-progress-notify-interval' : 'experimental-watch-progress-notify-interval';
  return {
    'election-timeout': '5000',
    'heartbeat-interval': '500',
    'initial-cluster-token': 'etcd-cluster-1',
    'client-cert-auth': 'true',
    'peer-client-cert-auth': 'true',
    [progress]: '1s',
  };
}

/** Flags that do not depend on the cluster's topology; the plan adds the rest. */
const FLAGS: Omit<Record<FlagContainer, Flags>, 'etcd'> = {
  'kube-apiserver': {
    'allow-privileged': 'true',
    'anonymous-auth': 'false',
    'bind-address': '0.0.0.0',
    'enable-admission-plugins': ADMISSION_PLUGINS,
    'etcd-prefix': '/registry',
    'kubelet-preferred-address-types': 'InternalIP,ExternalIP,Hostname',
    profiling: 'false',
    'requestheader-allowed-names': 'kube-apiserver-proxy-client',
    'requestheader-extra-headers-prefix': 'X-Remote-Extra-',
    'requestheader-group-headers': 'X-Remote-Group',
    'requestheader-username-headers': 'X-Remote-User',
    'secure-port': '6443',
    'service-account-lookup': 'true',
    'storage-backend': 'etcd3',
    v: '2',
  },
  'kube-controller-manager': {
    'allocate-node-cidrs': 'true',
    'leader-elect': 'true',
    'bind-address': '127.0.0.1',
    'node-monitor-grace-period': '40s',
    profiling: 'false',
    'terminated-pod-gc-threshold': '1000',
    'use-service-account-credentials': 'true',
    v: '2',
  },
  'kube-scheduler': {
    'bind-address': '127.0.0.1',
    'leader-elect': 'true',
    profiling: 'false',
    v: '2',
  },
  kubelet: {
    address: '0.0.0.0',
    'anonymous-auth': 'false',
    'authentication-token-webhook': 'true',
    'authorization-mode': 'Webhook',
    'cgroup-driver': 'cgroupfs',
    'event-qps': '0',
    'fail-swap-on': 'false',
    'healthz-bind-address': '127.0.0.1',
    'healthz-port': '10248',
    'make-iptables-util-chains': 'true',
    'read-only-port': '0',
    'resolv-conf': '/etc/resolv.conf',
    'root-dir': '/var/lib/kubelet',
    'streaming-connection-idle-timeout': '30m',
    'volume-plugin-dir': '/var/lib/kubelet/volumeplugins',
    v: '2',
  },
  'kube-proxy': {
    'healthz-bind-address': '127.0.0.1:10256',
    'metrics-bind-address': '127.0.0.1:10249',
    'proxy-mode': 'iptables',
    v: '2',
  },
  'cri-dockerd': {
    'cni-bin-dir': '/opt/cni/bin',
    'cni-cache-dir': '/var/lib/cni/cache',
    'cni-conf-dir': '/etc/cni/net.d',
    'container-runtime-endpoint': 'unix:///var/run/cri-dockerd.sock',
    'cri-dockerd-root-directory': '/var/lib/cri-dockerd',
    'docker-endpoint': 'unix:///var/run/docker.sock',
    'hairpin-mode': 'hairpin-veth',
    'network-plugin': 'cni',
  },
};

/** Images every supported version uses; `kubernetes` and `etcd` are per version. */
const SHARED_IMAGES = {
  tools: 'zke/tools:v1',
  nginx_proxy: 'zke/nginx-proxy:v1',
  pod_infra_container: 'zke/pause:3.10',
  cri_dockerd: 'zke/cri-dockerd:v0.3.19',
  flannel: 'zke/flannel:v0.28.10',
  flannel_cni: 'zke/flannel-cni-plugin:v0.9.1',
  coredns: 'zke/coredns:v1.14.7',
  metrics_server: 'zke/metrics-server:v0.8.0',
  ingress: 'zke/ingress:v1',
  metallb: 'zke/metallb:v0.16.2',
  network_policy: 'zke/kube-router:v2.1.0',
} as const;

/**
 * The etcd zke runs per etcd minor: the newest patch of that minor the Go module proxy serves. Upstream pairs
 * each Kubernetes minor with an etcd minor (kubeadm's DefaultEtcdVersion): 3.5 up to v1.33, 3.6 from v1.34, 3.7
 * from v1.37. etcd upgrades one minor at a time and is never downgraded (model/plan/etcdVersion.ts).
 */
export const ETCD_RELEASES = {
  '3.5': 'v3.5.36',
  '3.6': 'v3.6.17',
  '3.7': 'v3.7.4',
} as const;
export type EtcdMinor = keyof typeof ETCD_RELEASES;

/**
 * From v1.35 the kubelet refuses a host on cgroup v1 unless told otherwise; the hosts RKE users bring (and the
 * lab's) often are: zke keeps them working, as v1.30–v1.34 do by default (`fail-cgroupv1: "true"` in kubelet
 * extra_args restores upstream's refusal).
 */
function cgroupV1(version: string): Flags {
  return Number(version.split('.')[1]) >= 35 ? { 'fail-cgroupv1': 'false' } : {};
}

/** One table entry: Kubernetes `version` with the etcd minor upstream pairs with it. */
function entry(version: string, etcdMinor: EtcdMinor): KubernetesVersion {
  return {
    version,
    images: {
      ...SHARED_IMAGES,
      kubernetes: `zke/hyperkube:${version}`,
      etcd: `zke/etcd:${ETCD_RELEASES[etcdMinor]}`,
    },
    defaultFlags: {
      ...FLAGS,
      kubelet: { ...FLAGS.kubelet, ...cgroupV1(version) },
      etcd: etcdDefaultFlags(Number(etcdMinor.split('.')[1])),
    },
  };
}

/**
 * v1.30 (what teams leaving RKE1 run) to the newest minor the Go module proxy serves, the newest served patch of
 * each. Newest last. Each one provisioned a cluster in the lab (docs/lab-k8s.md).
 */
export const KUBERNETES_VERSIONS: readonly KubernetesVersion[] = [
  entry('v1.30.14', '3.5'),
  entry('v1.31.14', '3.5'),
  entry('v1.32.13', '3.5'),
  entry('v1.33.13', '3.5'),
  entry('v1.34.4', '3.6'),
  entry('v1.35.4', '3.6'),
  entry('v1.36.3', '3.6'),
  entry('v1.37.2', '3.7'),
];

/**
 * A cluster.yml without a version gets this one: the newest version every `npm test` provisions, upgrades and
 * runs the conformance smoke slice on (the newer ones provisioned in the lab once, docs/lab-k8s.md).
 */
export const DEFAULT_KUBERNETES_VERSION = 'v1.34.4';

export function knownVersions(): string[] {
  return KUBERNETES_VERSIONS.map((v) => v.version);
}

/**
 * Finds a version by "v1.34.4", "1.34.4", RKE's "v1.34.4-rancher1-1", or a minor: "v1.34", or a patch the table
 * lacks ("v1.32.5"), both read as the table's patch of that minor. Returns undefined when the minor is unknown.
 */
export function findVersion(requested: string): KubernetesVersion | undefined {
  const core = requested.replace(/^v?/, 'v').replace(/-rancher[0-9]+-[0-9]+$/, '');
  const exact = KUBERNETES_VERSIONS.find((v) => v.version === core);
  const minor = /^(v[0-9]+\.[0-9]+)(\.[0-9]+)?$/.exec(core)?.[1];
  if (exact || !minor) return exact;
  return KUBERNETES_VERSIONS.filter((v) => v.version.startsWith(`${minor}.`)).at(-1);
}
