// The normalized cluster model: one shape whatever format (zke or RKE) the user wrote. Every default is filled in.
import type { SystemImages } from '../versions.ts';

export const ROLES = ['etcd', 'controlplane', 'worker', 'edge'] as const;
export type Role = (typeof ROLES)[number];

/** `canal` is flannel plus kube-router's NetworkPolicy controller (what RKE's canal gives: VXLAN, enforced policies). */
export const NETWORK_PLUGINS = ['flannel', 'canal', 'none'] as const;
export type NetworkPlugin = (typeof NETWORK_PLUGINS)[number];
/** Whether flannel carries the pod network (flannel, and canal's flannel). */
export const runsFlannel = (plugin: NetworkPlugin): boolean => plugin === 'flannel' || plugin === 'canal';
/** Key types for new certificate keys (kubeadm's `encryptionAlgorithm` names). */
export const CERT_KEY_ALGORITHMS = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384'] as const;
export type CertKeyAlgorithm = (typeof CERT_KEY_ALGORITHMS)[number];
export const DNS_PROVIDERS = ['coredns', 'none'] as const;
/** `nginx` is RKE's and zke's name for the ingress controller; what runs is Traefik either way. */
export const INGRESS_PROVIDERS = ['nginx', 'traefik', 'none'] as const;
/** RKE's ingress `network_mode`: ports 80/443 on the host network, as hostPorts of a pod, or not on the host. */
export const INGRESS_NETWORK_MODES = ['hostNetwork', 'hostPort', 'none'] as const;
export type IngressNetworkMode = (typeof INGRESS_NETWORK_MODES)[number];
/** Kubernetes API objects given as they are (tolerations, env vars, volumes): passed to the pod unchanged. */
export type KubeFragment = Readonly<Record<string, unknown>>;
export const METRICS_PROVIDERS = ['metrics-server', 'none'] as const;
export const LOADBALANCER_PROVIDERS = ['metallb', 'none'] as const;
/** MetalLB's layer-2 mode (ARP): one node answers for each address; the only mode zke sets up. */
export const LOADBALANCER_MODES = ['l2'] as const;
export const AUTHN_STRATEGIES = ['x509'] as const;
export const AUTHZ_MODES = ['rbac', 'none'] as const;

/**
 * A value that must never be logged or stored with the spec (inline SSH keys, registry passwords).
 * The service moves it to a secret store; `redactSecrets` replaces it for display.
 */
export interface SecretValue {
  readonly secret: true;
  readonly value: string;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: TaintEffect;
}

export interface SshAccess {
  readonly user: string;
  readonly port: number;
  /** Path of the private key on the machine running zke ("~/" allowed). */
  readonly keyPath: string;
  /** Inline private key, when the spec gave one (zke's `ssh_key`). */
  readonly key?: SecretValue;
  /** Expected host key fingerprint, `SHA256:...`; unset means trust on first use is up to the caller. */
  readonly hostKey?: string;
  /** Authenticate with the keys of the SSH agent at the worker's SSH_AUTH_SOCK (no key file is read). */
  readonly agent?: boolean;
  /** OpenSSH user certificate of the key: inline (`ssh_cert`, public material) or a path on the zke machine. */
  readonly cert?: string;
  readonly certPath?: string;
}

export interface NodeSpec {
  /** Kubernetes node name and the node's identity; lower-case. */
  readonly name: string;
  readonly address: string;
  readonly internalAddress: string;
  readonly roles: readonly Role[];
  readonly ssh: SshAccess;
  readonly dockerSocket: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export interface ServiceOptions {
  readonly extraArgs: Readonly<Record<string, string>>;
  readonly extraBinds: readonly string[];
  readonly extraEnv: readonly string[];
}

/** Where snapshots are uploaded (RKE's `backup_config.s3backupconfig`). */
export interface S3BackupConfig {
  /** `https://host[:port]` (a bare `host[:port]`, as RKE writes it, is read as https). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Key prefix without slashes at either end; empty for the bucket's top level. */
  readonly folder: string;
  readonly region: string;
  readonly accessKey: string;
  readonly secretKey: SecretValue;
  /** PEM of the CA that signed the endpoint's certificate, when not a public one. */
  readonly customCa?: string;
}

export interface EtcdOptions extends ServiceOptions {
  readonly snapshot: { readonly enabled: boolean; readonly creation: string; readonly retention: string };
  readonly s3?: S3BackupConfig;
  /** RKE's `backup_config.timeout`: how long a one-off snapshot or a restore may run on a host, in seconds. */
  readonly backupTimeoutSeconds: number;
  /** RKE's `uid`/`gid`: etcd runs as `uid:gid`, which owns its data directory and its certificate's key. */
  readonly user?: string;
}

/** A Kubernetes config object (EncryptionConfiguration, audit Policy, AdmissionConfiguration, ...) as given. */
export type ConfigObject = Readonly<Record<string, unknown>>;

export const POD_SECURITY_LEVELS = ['privileged', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];
export const AUDIT_LOG_FORMATS = ['json', 'legacy'] as const;

export interface SecretsEncryption {
  readonly enabled: boolean;
  /** The user's EncryptionConfiguration as JSON (it holds keys); absent: zke generates and stores a key. */
  readonly customConfig?: SecretValue;
}

export interface AuditLog {
  readonly enabled: boolean;
  /** The log file on the control-plane hosts (inside and outside the container). */
  readonly path: string;
  readonly maxAge: number;
  readonly maxBackup: number;
  readonly maxSize: number;
  readonly format: (typeof AUDIT_LOG_FORMATS)[number];
  readonly policy: ConfigObject;
}

export interface KubeApiOptions extends ServiceOptions {
  readonly serviceNodePortRange: string;
  readonly alwaysPullImages: boolean;
  readonly secretsEncryption: SecretsEncryption;
  readonly auditLog: AuditLog;
  /** RKE's `admission_configuration`: its plugins win over the ones below. */
  readonly admissionConfiguration?: ConfigObject;
  /** RKE's `pod_security_configuration`; unset: no PodSecurity configuration is written. */
  readonly podSecurity?: PodSecurityLevel;
  readonly eventRateLimit: { readonly enabled: boolean; readonly configuration?: ConfigObject };
}

export interface KubeletOptions extends ServiceOptions {
  readonly failSwapOn: boolean;
  /** RKE's `generate_serving_certificate`: each kubelet serves a certificate kube-ca signed for its names, and
   *  kube-apiserver verifies it (instead of the kubelet's self-signed one). */
  readonly generateServingCertificate: boolean;
}

export const SERVICE_NAMES = [
  'etcd',
  'kube-api',
  'kube-controller',
  'scheduler',
  'kubelet',
  'kubeproxy',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface Services {
  readonly etcd: EtcdOptions;
  readonly 'kube-api': KubeApiOptions;
  readonly 'kube-controller': ServiceOptions;
  readonly scheduler: ServiceOptions;
  readonly kubelet: KubeletOptions;
  readonly kubeproxy: ServiceOptions;
}

/** Where an addon's pods run and how they are replaced (RKE's node_selector, tolerations, update_strategy). */
export interface AddonPlacement {
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Replace the addon's own tolerations, as in RKE. */
  readonly tolerations?: readonly KubeFragment[];
  /** Kubernetes' DaemonSet/Deployment strategy (`type`, `rollingUpdate`). */
  readonly updateStrategy?: KubeFragment;
}

export interface NetworkSpec {
  readonly plugin: NetworkPlugin;
  /** Host interface for the overlay (flannel `--iface`). */
  readonly iface?: string;
  readonly mtu?: number;
  readonly options: Readonly<Record<string, string>>;
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly clusterDomain: string;
  readonly dnsServiceIp: string;
  /** First address of the service CIDR (the `kubernetes` Service). */
  readonly kubernetesServiceIp: string;
  readonly placement?: AddonPlacement;
  /** The network DaemonSets' priority class (RKE's `canal_priority_class_name`, `kube_flannel_priority_class_name`);
   *  system-node-critical when unset. */
  readonly priorityClassName?: string;
}

export interface DnsSpec {
  readonly provider: (typeof DNS_PROVIDERS)[number];
  /** Empty: CoreDNS forwards to the node's /etc/resolv.conf. */
  readonly upstreamNameservers: readonly string[];
  readonly reverseCidrs: readonly string[];
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly placement?: AddonPlacement;
  /** Extra server blocks: domain -> name servers (RKE's `stubdomains`). */
  readonly stubDomains?: Readonly<Record<string, readonly string[]>>;
  readonly priorityClassName?: string;
}

export interface IngressSpec {
  readonly provider: (typeof INGRESS_PROVIDERS)[number];
  readonly options: Readonly<Record<string, string>>;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Traefik flags (`log.level`), after the nginx ones zke translates. */
  readonly extraArgs: Readonly<Record<string, string>>;
  /** The pod's settings; unset in specs stored before they existed (the builder's defaults apply). */
  readonly networkMode?: IngressNetworkMode;
  readonly httpPort?: number;
  readonly httpsPort?: number;
  readonly dnsPolicy?: string;
  readonly extraEnvs?: readonly KubeFragment[];
  readonly extraVolumes?: readonly KubeFragment[];
  readonly extraVolumeMounts?: readonly KubeFragment[];
  readonly tolerations?: readonly KubeFragment[];
  readonly updateStrategy?: KubeFragment;
  readonly priorityClassName?: string;
  /** Whether the IngressClass is the cluster's default (RKE's `default_ingress_class`, default true). */
  readonly defaultIngressClass?: boolean;
}

export interface MonitoringSpec {
  readonly provider: (typeof METRICS_PROVIDERS)[number];
  readonly options: Readonly<Record<string, string>>;
  readonly placement?: AddonPlacement;
  readonly replicas?: number;
  readonly priorityClassName?: string;
}

export interface AddressPool {
  /** The IPAddressPool's name (a DNS-1123 label). */
  readonly name: string;
  /** IPv4 ranges ("10.0.0.200-10.0.0.210") or CIDRs ("10.0.0.208/28"), as written. */
  readonly addresses: readonly string[];
}

/** Addresses for Services of `type: LoadBalancer`, announced by MetalLB. */
export interface LoadBalancerSpec {
  readonly provider: (typeof LOADBALANCER_PROVIDERS)[number];
  readonly mode: (typeof LOADBALANCER_MODES)[number];
  readonly addressPools: readonly AddressPool[];
}

export interface RegistrySpec {
  /** host[:port][/namespace]; empty is not allowed (docker.io needs no entry). */
  readonly url: string;
  readonly user?: string;
  readonly password?: SecretValue;
  readonly isDefault: boolean;
}

export interface UpgradeStrategy {
  /** A count ("2") or a percentage ("10%"). */
  readonly maxUnavailableWorker: string;
  readonly maxUnavailableControlplane: string;
  readonly drain: boolean;
  readonly nodeDrainInput: {
    readonly force: boolean;
    readonly ignoreDaemonsets: boolean;
    readonly deleteLocalData: boolean;
    readonly gracePeriod: number;
    readonly timeout: number;
  };
}

export interface BastionHost {
  readonly address: string;
  readonly ssh: SshAccess;
}

export interface ClusterSpec {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly nodes: readonly NodeSpec[];
  readonly services: Services;
  readonly network: NetworkSpec;
  readonly dns: DnsSpec;
  readonly ingress: IngressSpec;
  readonly monitoring: MonitoringSpec;
  readonly loadBalancer: LoadBalancerSpec;
  readonly authentication: {
    readonly strategy: (typeof AUTHN_STRATEGIES)[number];
    readonly sans: readonly string[];
  };
  readonly authorization: { readonly mode: (typeof AUTHZ_MODES)[number] };
  readonly privateRegistries: readonly RegistrySpec[];
  /** Resolved: version table, then the default registry prefix, then the spec's overrides. */
  readonly systemImages: SystemImages;
  readonly upgradeStrategy: UpgradeStrategy;
  readonly bastionHost?: BastionHost;
  /** RKE `addons` (inline YAML) and `addons_include` (paths or URLs), kept as given. */
  readonly addons?: string;
  readonly addonsInclude: readonly string[];
  readonly prefixPath: string;
  readonly ignoreDockerVersion: boolean;
  readonly disablePortCheck: boolean;
  readonly maxParallelHosts: number;
  readonly certValidityDays: number;
  /** Key type of certificate keys generated from now on (existing keys stay until rotated). */
  readonly certKeyAlgorithm: CertKeyAlgorithm;
  /** Which key names the file used; error paths are reported in that format. */
  readonly sourceFormat: 'zke' | 'rke';
}

/** One problem, located by its path in the user's file (`nodes[2].address`). */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

export type ParseResult =
  | { readonly ok: true; readonly spec: ClusterSpec; readonly warnings: readonly SpecIssue[] }
  | { readonly ok: false; readonly errors: readonly SpecIssue[]; readonly warnings: readonly SpecIssue[] };
