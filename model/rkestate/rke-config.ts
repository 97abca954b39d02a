// A ClusterSpec as RKE's RancherKubernetesEngineConfig in its JSON form (the `json:` tags of rancher/rke
// types/rke_types.go), the `rkeConfig` of a state file. The keys zke models; empty values are left out
// (omitempty), and secrets (inline SSH keys, registry passwords) go in as RKE writes them.
import { PRIORITY_OPTION } from '../spec/normalize-network.ts';
import type { ClusterSpec, NetworkSpec, NodeSpec, ServiceOptions, SshAccess } from '../spec/types.ts';

type Json = Record<string, unknown>;

/** The plugin's options under RKE's names: canal reads its flannel's as `canal_flannel_*`. */
function networkOptions(network: NetworkSpec): Record<string, string> {
  const rename = (key: string) => (network.plugin === 'canal' ? `canal_${key}` : key);
  const options = Object.entries(network.options).map(([key, value]) => [rename(key), value]);
  const priorityKey = PRIORITY_OPTION[network.plugin];
  const priority = network.priorityClassName && priorityKey ? [[priorityKey, network.priorityClassName]] : [];
  return Object.fromEntries([...options, ...priority]);
}

export function rkeConfigOf(spec: ClusterSpec): Json {
  const { network, upgradeStrategy: upgrade } = spec;
  const config = compact({
    clusterName: spec.clusterName,
    kubernetesVersion: spec.kubernetesVersion,
    nodes: spec.nodes.map(node),
    services: services(spec),
    network: { plugin: network.plugin, options: networkOptions(network), mtu: network.mtu },
    authentication: { strategy: spec.authentication.strategy, sans: spec.authentication.sans },
    authorization: { mode: spec.authorization.mode },
    ingress: {
      provider: spec.ingress.provider,
      options: spec.ingress.options,
      nodeSelector: spec.ingress.nodeSelector,
    },
    dns: {
      provider: spec.dns.provider,
      upstreamnameservers: spec.dns.upstreamNameservers,
      reversecidrs: spec.dns.reverseCidrs,
      stubdomains: spec.dns.stubDomains,
      nodeSelector: spec.dns.nodeSelector,
    },
    monitoring: { provider: spec.monitoring.provider, options: spec.monitoring.options },
    privateRegistries: spec.privateRegistries.map((r) => ({
      url: r.url,
      user: r.user,
      password: r.password?.value,
      isDefault: r.isDefault,
    })),
    bastionHost: spec.bastionHost && { address: spec.bastionHost.address, ...ssh(spec.bastionHost.ssh) },
    addons: spec.addons,
    addonsInclude: spec.addonsInclude,
    prefixPath: spec.prefixPath,
    enableCriDockerd: true,
    upgradeStrategy: {
      maxUnavailableWorker: upgrade.maxUnavailableWorker,
      maxUnavailableControlplane: upgrade.maxUnavailableControlplane,
      drain: upgrade.drain,
      nodeDrainInput: drainInput(upgrade.nodeDrainInput),
    },
  });
  // Without omitempty in RKE: written even when false.
  return { ...config, ignoreDockerVersion: spec.ignoreDockerVersion };
}

function drainInput(d: ClusterSpec['upgradeStrategy']['nodeDrainInput']): Json {
  return {
    force: d.force,
    ignoreDaemonSets: d.ignoreDaemonsets,
    deleteLocalData: d.deleteLocalData,
    gracePeriod: d.gracePeriod,
    timeout: d.timeout,
  };
}

function node(n: NodeSpec): Json {
  return {
    address: n.address,
    internalAddress: n.internalAddress === n.address ? undefined : n.internalAddress,
    hostnameOverride: n.name,
    role: n.roles.filter((r) => r !== 'edge'),
    ...ssh(n.ssh),
    dockerSocket: n.dockerSocket,
    labels: n.labels,
    taints: n.taints,
  };
}

function ssh(access: SshAccess): Json {
  return {
    port: String(access.port),
    user: access.user,
    sshKey: access.key?.value,
    sshKeyPath: access.keyPath,
  };
}

function services(spec: ClusterSpec): Json {
  const s = spec.services;
  const api = s['kube-api'];
  return {
    etcd: {
      ...base(s.etcd),
      snapshot: s.etcd.snapshot.enabled,
      creation: s.etcd.snapshot.creation,
      retention: s.etcd.snapshot.retention,
      ...etcdIds(s.etcd.user),
    },
    kubeApi: {
      ...base(api),
      serviceClusterIpRange: spec.network.serviceCidr,
      serviceNodePortRange: api.serviceNodePortRange,
      alwaysPullImages: api.alwaysPullImages,
      podSecurityConfiguration: api.podSecurity,
      secretsEncryptionConfig: { enabled: api.secretsEncryption.enabled },
    },
    kubeController: {
      ...base(s['kube-controller']),
      clusterCidr: spec.network.podCidr,
      serviceClusterIpRange: spec.network.serviceCidr,
    },
    scheduler: base(s.scheduler),
    kubelet: {
      ...base(s.kubelet),
      clusterDomain: spec.network.clusterDomain,
      clusterDnsServer: spec.network.dnsServiceIp,
      failSwapOn: s.kubelet.failSwapOn,
      generateServingCertificate: s.kubelet.generateServingCertificate,
    },
    kubeproxy: base(s.kubeproxy),
  };
}

/** RKE's `uid`/`gid` (numbers) from zke's `uid:gid`. */
function etcdIds(user: string | undefined): Json {
  if (!user) return {};
  const [uid, gid] = user.split(':').map(Number);
  return { uid, gid };
}

function base(options: ServiceOptions): Json {
  return { extraArgs: options.extraArgs, extraBinds: options.extraBinds, extraEnv: options.extraEnv };
}

/** Go's omitempty: no undefined, empty string, false, empty list or empty map (0 is never written here). */
function compact(value: Json): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = isPlainObject(v) ? compact(v) : Array.isArray(v) ? v.map(compactItem) : v;
    if (!isEmpty(kept)) out[key] = kept;
  }
  return out;
}

const compactItem = (v: unknown) => (isPlainObject(v) ? compact(v) : v);
const isPlainObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === '' || v === false || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isPlainObject(v) && Object.keys(v).length === 0;
}
