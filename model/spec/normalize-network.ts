// Network, DNS, ingress, monitoring, authn/authz: zke keeps most under `option`/`network`, RKE at the top level.

import type { SpecContext } from './context.ts';
import { DEFAULTS } from './defaults.ts';
import { nthAddress, parseCidrV4 } from './net.ts';
import { stringMap } from './normalize-nodes.ts';
import { optional, placementOf } from './normalize-placement.ts';
import type { GivenServices } from './normalize-services.ts';
import { childPath } from './paths.ts';
import type { RawCluster } from './raw-schema.ts';
import {
  AUTHN_STRATEGIES,
  AUTHZ_MODES,
  type ClusterSpec,
  DNS_PROVIDERS,
  type DnsSpec,
  LOADBALANCER_MODES,
  LOADBALANCER_PROVIDERS,
  type LoadBalancerSpec,
  METRICS_PROVIDERS,
  type MonitoringSpec,
  NETWORK_PLUGINS,
  type NetworkSpec,
} from './types.ts';

function addressing(ctx: SpecContext, raw: RawCluster, { root, given }: GivenServices) {
  const option = raw.option ?? {};
  const podCidr = ctx.pick(
    'network.podCidr',
    [
      { path: 'option.cluster_cidr', value: option.cluster_cidr, feeds: true },
      { path: `${root}.kube-controller.cluster_cidr`, value: given['kube-controller']?.cluster_cidr },
    ],
    DEFAULTS.podCidr,
  );
  const serviceCidr = ctx.pick(
    'network.serviceCidr',
    [
      { path: 'option.service_cidr', value: option.service_cidr, feeds: true },
      {
        path: `${root}.kube-api.service_cluster_ip_range`,
        value: given['kube-api']?.service_cluster_ip_range,
      },
      {
        path: `${root}.kube-controller.service_cluster_ip_range`,
        value: given['kube-controller']?.service_cluster_ip_range,
      },
    ],
    DEFAULTS.serviceCidr,
  );
  const clusterDomain = ctx.pick(
    'network.clusterDomain',
    [
      { path: 'option.cluster_domain', value: option.cluster_domain, feeds: true },
      { path: `${root}.kubelet.cluster_domain`, value: given.kubelet?.cluster_domain },
    ],
    DEFAULTS.clusterDomain,
  );
  const dnsServiceIp = ctx.pick(
    'network.dnsServiceIp',
    [
      { path: 'option.cluster_dns_serviceip', value: option.cluster_dns_serviceip, feeds: true },
      { path: `${root}.kubelet.cluster_dns_server`, value: given.kubelet?.cluster_dns_server },
    ],
    DEFAULTS.dnsServiceIp,
  );
  const parsed = parseCidrV4(serviceCidr);
  const kubernetesServiceIp = parsed.ok ? nthAddress(parsed.cidr, 1) : '';
  return { podCidr, serviceCidr, clusterDomain, dnsServiceIp, kubernetesServiceIp };
}

/** The options flannel reads (`flannel_iface` is read as the interface). */
const FLANNEL_OPTIONS = ['flannel_backend_type', 'flannel_backend_vni', 'flannel_backend_port'];
/** RKE's canal names for its flannel's options (`canal_iface` is read as the interface). */
const CANAL_PREFIX = 'canal_';
/** The DaemonSets' priority class, under each plugin's RKE name. */
export const PRIORITY_OPTION: Readonly<Record<string, string>> = {
  flannel: 'kube_flannel_priority_class_name',
  canal: 'canal_priority_class_name',
};
/** RKE's canal options for Calico's parts, which zke's canal (flannel + kube-router) does not have. */
const CANAL_NO_EFFECT: Readonly<Record<string, string>> = {
  canal_flex_volume_plugin_dir:
    "no effect: zke's canal installs no Calico flexvolume driver (kube-router enforces NetworkPolicy)",
  calico_kube_controllers_priority_class_name:
    "no effect: zke's canal runs no calico-kube-controllers (kube-router's controller runs on each node)",
};
const CANAL_OPTIONS = [
  'canal_iface',
  ...FLANNEL_OPTIONS.map((key) => CANAL_PREFIX + key),
  PRIORITY_OPTION.canal,
  ...Object.keys(CANAL_NO_EFFECT),
];

/** Reports an option the plugin does not read: an error, or a warning when it has no effect by design. */
function checkOption(ctx: SpecContext, plugin: string, key: string): void {
  const path = childPath('network.options', key);
  const known =
    plugin === 'flannel' ? ['flannel_iface', ...FLANNEL_OPTIONS, PRIORITY_OPTION.flannel] : CANAL_OPTIONS;
  if (plugin === 'none') ctx.warn(path, 'no effect: no network plugin runs');
  else if (plugin === 'canal' && CANAL_NO_EFFECT[key]) ctx.warn(path, CANAL_NO_EFFECT[key]);
  else if ((plugin === 'flannel' || plugin === 'canal') && !known.includes(key))
    ctx.error(path, `unknown ${plugin} option "${key}" (known: ${known.join(', ')})`);
}

/**
 * The options the plugin reads, under flannel's names (canal's `canal_flannel_*` are flannel's), the interface
 * named among them, and the plugin's priority class. Options the plugin does not read are errors or no-effect
 * warnings; an unknown plugin's are not judged.
 */
function pluginOptions(ctx: SpecContext, plugin: string, given: Record<string, string>) {
  const { flannel_iface: flannelIface, canal_iface: canalIface } = given;
  const priorityKey = PRIORITY_OPTION[plugin];
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(given)) {
    checkOption(ctx, plugin, key);
    if (key.endsWith('_iface') || key === priorityKey || CANAL_NO_EFFECT[key]) continue;
    const flannelKey =
      plugin === 'canal' && key.startsWith(CANAL_PREFIX) ? key.slice(CANAL_PREFIX.length) : key;
    options[flannelKey] = value;
    if (flannelKey !== key) ctx.locate(`network.options.${flannelKey}`, childPath('network.options', key));
  }
  if (plugin === 'flannel' || plugin === 'canal') options.flannel_backend_type ??= DEFAULTS.flannelBackend;
  return { options, flannelIface, canalIface, priority: priorityKey ? given[priorityKey] : undefined };
}

export function normalizeNetwork(ctx: SpecContext, raw: RawCluster, services: GivenServices): NetworkSpec {
  const network = raw.network ?? {};
  // RKE's default is canal; zke's flannel
  const fallback = ctx.format === 'rke' ? DEFAULTS.rkeNetworkPlugin : DEFAULTS.networkPlugin;
  const plugin = ctx.oneOf('network.plugin', network.plugin, NETWORK_PLUGINS, 'network plugin', fallback);
  const given = pluginOptions(ctx, network.plugin ?? plugin, stringMap(network.options));
  const providerIface = (key: 'flannel_network_provider' | 'canal_network_provider') => {
    const iface = network[key]?.iface;
    return { path: `network.${key}.iface`, value: typeof iface === 'string' ? iface : undefined };
  };
  // flannel_iface and canal_iface (RKE) are the same setting as network.iface (zke): it lives in `iface` only.
  const iface = ctx.pick(
    'network.iface',
    [
      { path: 'network.iface', value: network.iface },
      { path: 'network.options.flannel_iface', value: given.flannelIface },
      { path: 'network.options.canal_iface', value: given.canalIface },
      providerIface('flannel_network_provider'),
      providerIface('canal_network_provider'),
    ],
    undefined as string | undefined,
  );
  const placement = placementOf(network);
  // RKE writes `mtu: 0` for "the plugin's own MTU" (its templates set one only when non-zero)
  const unsetMtu = network.mtu === undefined || Number(network.mtu) === 0;
  const mtu = unsetMtu ? undefined : ctx.int('network.mtu', network.mtu, 576, 9216, 1500);
  return {
    plugin,
    ...(iface !== undefined ? { iface } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    options: given.options,
    ...addressing(ctx, raw, services),
    ...optional({ placement, priorityClassName: given.priority }),
  };
}

/** zke nests `dns` and `ingress` under `network`; RKE has them at the top level. */
export function block<T>(
  ctx: SpecContext,
  key: string,
  zke: T | undefined,
  rke: T | undefined,
): T | undefined {
  return ctx.pick(
    key,
    [
      { path: `network.${key}`, value: zke },
      { path: key, value: rke },
    ],
    undefined,
  );
}

export function normalizeDns(ctx: SpecContext, raw: RawCluster): DnsSpec {
  const dns = block(ctx, 'dns', raw.network?.dns, raw.dns) ?? {};
  const at = ctx.at('dns');
  return {
    provider: ctx.oneOf(`${at}.provider`, dns.provider, DNS_PROVIDERS, 'DNS provider', 'coredns'),
    upstreamNameservers: ctx.pick(
      'dns.upstreamNameservers',
      [
        { path: 'option.up_stream_name_servers', value: raw.option?.up_stream_name_servers, feeds: true },
        { path: `${at}.upstreamnameservers`, value: dns.upstreamnameservers },
      ],
      [],
    ),
    reverseCidrs: dns.reversecidrs ?? [],
    nodeSelector: stringMap(dns.node_selector),
    ...optional({
      placement: placementOf(dns, false),
      stubDomains: dns.stubdomains,
      priorityClassName: dnsOptions(ctx, `${at}.options`, stringMap(dns.options)),
    }),
  };
}

/** RKE's dns.options: the CoreDNS priority class; the autoscaler's has no pod to apply to. */
function dnsOptions(ctx: SpecContext, at: string, options: Record<string, string>): string | undefined {
  for (const key of Object.keys(options)) {
    if (key === 'coredns_autoscaler_priority_class_name') {
      ctx.warn(`${at}.${key}`, 'no effect: zke runs no DNS autoscaler');
    } else if (key !== 'coredns_priority_class_name') {
      ctx.error(`${at}.${key}`, `unknown DNS option "${key}" (known: coredns_priority_class_name)`);
    }
  }
  return options.coredns_priority_class_name;
}

/** zke nests it under `network`, RKE-format files at the top level; pools without a name get `pool-<n>`. */
export function normalizeLoadBalancer(ctx: SpecContext, raw: RawCluster): LoadBalancerSpec {
  const given = block(ctx, 'loadbalancer', raw.network?.loadbalancer, raw.loadbalancer) ?? {};
  const at = ctx.at('loadbalancer');
  const provider = ctx.oneOf(
    `${at}.provider`,
    given.provider,
    LOADBALANCER_PROVIDERS,
    'load balancer provider',
    DEFAULTS.loadBalancerProvider,
  );
  return {
    provider,
    mode: ctx.oneOf(`${at}.mode`, given.mode, LOADBALANCER_MODES, 'load balancer mode', 'l2'),
    addressPools: (given.address_pools ?? []).map((pool, i) => ({
      name: pool.name ?? `pool-${i + 1}`,
      addresses: pool.addresses ?? [],
    })),
  };
}

export function normalizeMonitoring(ctx: SpecContext, raw: RawCluster): MonitoringSpec {
  const provider = ctx.pick(
    'monitoring.provider',
    [
      { path: 'monitor.metrics_provider', value: raw.monitor?.metrics_provider },
      { path: 'monitoring.provider', value: raw.monitoring?.provider },
    ],
    undefined as string | undefined,
  );
  const options = raw.monitor?.metrics_options ?? raw.monitoring?.options;
  ctx.locate(
    'monitoring.options',
    raw.monitor?.metrics_options ? 'monitor.metrics_options' : 'monitoring.options',
  );
  return {
    provider: ctx.oneOf(
      ctx.at('monitoring.provider'),
      provider,
      METRICS_PROVIDERS,
      'metrics provider',
      'metrics-server',
    ),
    options: stringMap(options),
    ...optional({
      placement: placementOf(raw.monitoring),
      replicas:
        raw.monitoring?.replicas === undefined
          ? undefined
          : ctx.int('monitoring.replicas', raw.monitoring.replicas, 1, 100, 1),
      priorityClassName: raw.monitoring?.metrics_server_priority_class_name,
    }),
  };
}

export function normalizeAuth(
  ctx: SpecContext,
  raw: RawCluster,
): Pick<ClusterSpec, 'authentication' | 'authorization'> {
  ctx.locate('authentication.sans', 'authentication.sans');
  const strategy = raw.authentication?.strategy;
  const mode = raw.authorization?.mode;
  return {
    authentication: {
      strategy: ctx.oneOf(
        'authentication.strategy',
        strategy,
        AUTHN_STRATEGIES,
        'authentication strategy',
        'x509',
      ),
      sans: raw.authentication?.sans ?? [],
    },
    authorization: { mode: ctx.oneOf('authorization.mode', mode, AUTHZ_MODES, 'authorization mode', 'rbac') },
  };
}
