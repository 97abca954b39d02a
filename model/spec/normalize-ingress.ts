// The ingress block (RKE `ingress`, zke `network.ingress`) -> IngressSpec. What runs is Traefik: RKE's and zke's
// nginx settings become Traefik's where Traefik has the same thing, and each one it has not is an error.
import type { SpecContext } from './context.ts';
import { DEFAULTS } from './defaults.ts';
import { block } from './normalize-network.ts';
import { stringMap } from './normalize-nodes.ts';
import { kubeUpdateStrategy, optional, toleration } from './normalize-placement.ts';
import { childPath } from './paths.ts';
import type { RawCluster } from './raw-schema.ts';
import { INGRESS_NETWORK_MODES, INGRESS_PROVIDERS, type IngressSpec, type KubeFragment } from './types.ts';

type RawIngress = NonNullable<RawCluster['ingress']>;

export const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] as const;

/** RKE runs the controller on worker nodes (and where `node_selector` says); zke on its edge nodes. */
const RKE_INGRESS_NODES = { 'node-role.kubernetes.io/worker': 'true' };

/** ingress-nginx ConfigMap options Traefik has an equivalent for, as Traefik flags. */
const TRAEFIK_FOR_OPTION: Readonly<Record<string, (value: string) => Record<string, string>>> = {
  'use-forwarded-headers': (value): Record<string, string> =>
    value === 'true'
      ? {
          'entryPoints.web.forwardedHeaders.insecure': 'true',
          'entryPoints.websecure.forwardedHeaders.insecure': 'true',
        }
      : {},
};

function optionArgs(ctx: SpecContext, at: string, options: Record<string, string>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    const translate = TRAEFIK_FOR_OPTION[key];
    if (translate) Object.assign(args, translate(value));
    else
      ctx.error(
        childPath(`${at}.options`, key),
        `Traefik, zke's ingress controller, has no equivalent of the ingress-nginx option "${key}" ` +
          `(supported: ${Object.keys(TRAEFIK_FOR_OPTION).join(', ')}): remove it, or set provider: none and ` +
          'deploy ingress-nginx as an addon',
      );
  }
  return args;
}

/** A host port: 0 (what `rke config` writes) means the default, as in RKE. */
function port(ctx: SpecContext, path: string, value: number | string | undefined, fallback: number): number {
  if (value === undefined || Number(value) === 0) return fallback;
  return ctx.int(path, value, 1, 65535, fallback);
}

function ports(ctx: SpecContext, at: string, ingress: RawIngress, mode: string) {
  const httpPort = port(ctx, `${at}.http_port`, ingress.http_port, 80);
  const httpsPort = port(ctx, `${at}.https_port`, ingress.https_port, 443);
  if (httpPort === httpsPort) ctx.error(`${at}.https_port`, 'http and https ports need to be different');
  for (const key of ['http_port', 'https_port'] as const) {
    if (mode === 'none' && ![undefined, 0, '0'].includes(ingress[key])) {
      ctx.warn(`${at}.${key}`, 'no effect: network_mode none publishes no host port');
    }
  }
  return { httpPort, httpsPort };
}

function podSettings(ctx: SpecContext, at: string, ingress: RawIngress) {
  if (ingress.default_http_backend_priority_class_name !== undefined) {
    ctx.warn(
      `${at}.default_http_backend_priority_class_name`,
      'no effect: Traefik answers unmatched requests itself (404), no default backend pod runs',
    );
  }
  return optional({
    dnsPolicy:
      ingress.dns_policy && ctx.member(`${at}.dns_policy`, ingress.dns_policy, DNS_POLICIES, 'DNS policy'),
    extraEnvs: ingress.extra_envs,
    extraVolumes: ingress.extra_volumes,
    extraVolumeMounts: ingress.extra_volume_mounts,
    tolerations: ingress.tolerations?.map(toleration),
    updateStrategy: kubeUpdateStrategy(ingress.update_strategy),
    priorityClassName: ingress.nginx_ingress_controller_priority_class_name,
    defaultIngressClass: ingress.default_ingress_class,
  });
}

export function normalizeIngress(ctx: SpecContext, raw: RawCluster): IngressSpec {
  const ingress = block(ctx, 'ingress', raw.network?.ingress, raw.ingress) ?? {};
  const at = ctx.at('ingress');
  const options = stringMap(ingress.options);
  const nodes = ctx.format === 'rke' ? RKE_INGRESS_NODES : DEFAULTS.ingressNodeSelector;
  const mode = ingress.network_mode;
  const networkMode = ctx.oneOf(
    `${at}.network_mode`,
    mode,
    INGRESS_NETWORK_MODES,
    'ingress network mode',
    'hostNetwork',
  );
  return {
    provider: ctx.oneOf(`${at}.provider`, ingress.provider, INGRESS_PROVIDERS, 'ingress provider', 'nginx'),
    options,
    nodeSelector: { ...stringMap(ingress.node_selector), ...nodes },
    extraArgs: { ...optionArgs(ctx, at, options), ...stringMap(ingress.extra_args) },
    networkMode,
    ...ports(ctx, at, ingress, networkMode),
    ...podSettings(ctx, at, ingress),
  };
}
