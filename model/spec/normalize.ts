// Raw cluster.yml (either format) -> the normalized ClusterSpec with every default filled in.
import { DEFAULT_KUBERNETES_VERSION, findVersion, KUBERNETES_VERSIONS, knownVersions } from '../versions.ts';
import type { SourceFormat, SpecContext } from './context.ts';
import { DEFAULTS } from './defaults.ts';
import { resolveImages } from './images.ts';
import { normalizeIngress } from './normalize-ingress.ts';
import {
  normalizeAuth,
  normalizeDns,
  normalizeLoadBalancer,
  normalizeMonitoring,
  normalizeNetwork,
} from './normalize-network.ts';
import { normalizeNodes, secret, sshAccess, sshDefaults } from './normalize-nodes.ts';
import { normalizeServices, servicesRoot } from './normalize-services.ts';
import type { RawCluster } from './raw-schema.ts';
import {
  type BastionHost,
  CERT_KEY_ALGORITHMS,
  type ClusterSpec,
  type RegistrySpec,
  type SshAccess,
  type UpgradeStrategy,
} from './types.ts';

const RKE_ONLY_KEYS = [
  'services',
  'system_images',
  'kubernetes_version',
  'dns',
  'ingress',
  'loadbalancer',
  'monitoring',
  'bastion_host',
  'upgrade_strategy',
  'addons',
  'addons_include',
  'ssh_key_path',
] as const;

export function detectFormat(raw: RawCluster): SourceFormat {
  const rkeNode = (raw.nodes ?? []).some((n) => n.role !== undefined || n.hostname_override !== undefined);
  return rkeNode || RKE_ONLY_KEYS.some((key) => raw[key] !== undefined) ? 'rke' : 'zke';
}

function kubernetesVersion(ctx: SpecContext, raw: RawCluster) {
  const requested = ctx.pick(
    'kubernetesVersion',
    [
      { path: 'option.kubernetes_version', value: raw.option?.kubernetes_version },
      { path: 'option.kubetnetes_version', value: raw.option?.kubetnetes_version },
      { path: 'kubernetes_version', value: raw.kubernetes_version },
    ],
    DEFAULT_KUBERNETES_VERSION,
  );
  const found = findVersion(requested);
  if (!found) {
    ctx.error(
      ctx.at('kubernetesVersion'),
      `unknown Kubernetes version "${requested}" (known: ${knownVersions().join(', ')})`,
    );
  } else if (found.version !== requested) {
    ctx.warn(ctx.at('kubernetesVersion'), versionReading(requested, found.version));
  }
  return found ?? KUBERNETES_VERSIONS.find((v) => v.version === DEFAULT_KUBERNETES_VERSION)!;
}

/** The warning for a requested version read as a table entry: another spelling, a minor, or a patch zke lacks. */
function versionReading(requested: string, found: string): string {
  const core = requested.replace(/^v?/, 'v').replace(/-rancher[0-9]+-[0-9]+$/, '');
  if (core === found || /^v[0-9]+\.[0-9]+$/.test(core)) return `"${requested}" is read as ${found}`;
  const minor = found.split('.').slice(0, 2).join('.');
  return `zke has no ${core}: the cluster runs ${found}, the patch of ${minor} zke supports`;
}

function registries(ctx: SpecContext, raw: RawCluster): RegistrySpec[] {
  return (raw.private_registries ?? []).map((r, i) => {
    if (r.url === undefined) ctx.error(`private_registries[${i}].url`, 'url is required');
    const password = secret(r.password);
    return {
      url: r.url ?? '',
      ...(r.user !== undefined ? { user: r.user } : {}),
      ...(password ? { password } : {}),
      isDefault: r.is_default ?? false,
    };
  });
}

function upgradeStrategy(ctx: SpecContext, raw: RawCluster): UpgradeStrategy {
  const u = raw.upgrade_strategy ?? {};
  const drain = u.node_drain_input ?? {};
  ctx.locate('upgradeStrategy.maxUnavailableWorker', 'upgrade_strategy.max_unavailable_worker');
  ctx.locate('upgradeStrategy.maxUnavailableControlplane', 'upgrade_strategy.max_unavailable_controlplane');
  return {
    maxUnavailableWorker: String(u.max_unavailable_worker ?? DEFAULTS.maxUnavailableWorker),
    maxUnavailableControlplane: String(u.max_unavailable_controlplane ?? DEFAULTS.maxUnavailableControlplane),
    drain: u.drain ?? false,
    nodeDrainInput: {
      force: drain.force ?? false,
      ignoreDaemonsets: drain.ignore_daemonsets ?? true,
      deleteLocalData: drain.delete_local_data ?? false,
      gracePeriod: ctx.int(
        'upgrade_strategy.node_drain_input.grace_period',
        drain.grace_period,
        -1,
        86400,
        DEFAULTS.drainGracePeriod,
      ),
      timeout: ctx.int(
        'upgrade_strategy.node_drain_input.timeout',
        drain.timeout,
        1,
        86400,
        DEFAULTS.drainTimeout,
      ),
    },
  };
}

function bastion(ctx: SpecContext, raw: RawCluster, ssh: SshAccess): BastionHost | undefined {
  const given = raw.bastion_host;
  if (!given) return undefined;
  if (given.address === undefined) {
    // as RKE: a bastion without an address is no bastion (`rke config` writes one with every answer blank)
    if (Object.keys(given).some((key) => key !== 'ignore_proxy_env_vars')) {
      ctx.warn('bastion_host', 'bastion_host has no address: nodes are reached directly, settings ignored');
    }
    return undefined;
  }
  return { address: given.address, ssh: sshAccess(ctx, 'bastion_host', given, ssh) };
}

function hostSettings(ctx: SpecContext, raw: RawCluster) {
  const option = raw.option ?? {};
  ctx.locate('clusterName', 'cluster_name');
  return {
    clusterName: raw.cluster_name ?? DEFAULTS.clusterName,
    prefixPath: ctx.pick(
      'prefixPath',
      [
        { path: 'option.prefix_path', value: option.prefix_path },
        { path: 'prefix_path', value: raw.prefix_path },
      ],
      DEFAULTS.prefixPath,
    ),
    ignoreDockerVersion: ctx.pick(
      'ignoreDockerVersion',
      [
        { path: 'option.ignore_docker_version', value: option.ignore_docker_version },
        { path: 'ignore_docker_version', value: raw.ignore_docker_version },
      ],
      false,
    ),
    disablePortCheck: option.disable_port_check ?? false,
    maxParallelHosts: ctx.int(
      'max_parallel_hosts',
      raw.max_parallel_hosts,
      1,
      1000,
      DEFAULTS.maxParallelHosts,
    ),
    certValidityDays: ctx.int(
      'cert_validity_days',
      raw.cert_validity_days,
      1,
      36500,
      DEFAULTS.certValidityDays,
    ),
    certKeyAlgorithm: ctx.oneOf(
      'cert_key_algorithm',
      raw.cert_key_algorithm,
      CERT_KEY_ALGORITHMS,
      'certificate key algorithm',
      DEFAULTS.certKeyAlgorithm,
    ),
  };
}

export function normalize(ctx: SpecContext, raw: RawCluster): ClusterSpec {
  const version = kubernetesVersion(ctx, raw);
  const services = servicesRoot(ctx, raw);
  const ssh = sshDefaults(ctx, raw);
  const privateRegistries = registries(ctx, raw);
  const bastionHost = bastion(ctx, raw, ssh);
  const settings = hostSettings(ctx, raw);
  const nodes = normalizeNodes(ctx, raw, ssh);
  const normalizedServices = normalizeServices(ctx, services, version.version);
  const network = normalizeNetwork(ctx, raw, services);
  return {
    ...settings,
    kubernetesVersion: version.version,
    nodes,
    services: normalizedServices,
    network,
    dns: normalizeDns(ctx, raw),
    ingress: normalizeIngress(ctx, raw),
    monitoring: normalizeMonitoring(ctx, raw),
    loadBalancer: normalizeLoadBalancer(ctx, raw),
    ...normalizeAuth(ctx, raw),
    privateRegistries,
    systemImages: resolveImages(ctx, raw, version, privateRegistries, network.plugin),
    upgradeStrategy: upgradeStrategy(ctx, raw),
    ...(bastionHost ? { bastionHost } : {}),
    ...(raw.addons !== undefined ? { addons: raw.addons } : {}),
    addonsInclude: raw.addons_include ?? [],
    sourceFormat: ctx.format,
  };
}
