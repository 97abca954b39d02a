// RKE and zke settings zke reads but does not implement: each is an error that says what to do instead, or, for
// a setting that has no effect by design, a warning that says why. One table, so docs/rke-compatibility.md can
// list it; the settings zke honours are read by the normalizers.
import type { SpecContext } from './context.ts';
import type { RawCluster } from './raw-schema.ts';

interface Rule {
  /** Path pattern in the user's file: `[]` is every list item, `{services}` both `services` and `core`. */
  readonly at: string;
  /** Whether the given value asks for what zke does not do (default: any value). */
  readonly when?: (value: unknown) => boolean;
  readonly say: string;
}

const isTrue = (value: unknown) => value === true;
const isFalse = (value: unknown) => value === false;
const named = (value: unknown) =>
  typeof (value as { name?: unknown }).name === 'string' && (value as { name: string }).name !== '';

const EXTERNAL_ETCD = 'external etcd is not supported: give nodes the etcd role (zke runs etcd on them)';
const WINDOWS = 'no effect: zke runs no Windows nodes';
const PLUGIN_OPTIONS = 'is for a network plugin zke does not run (zke runs flannel and canal): remove it';
const SERVICES = ['etcd', 'kube-api', 'kube-controller', 'scheduler', 'kubelet', 'kubeproxy'];

/** Settings refused: each message says what to do instead. */
export const REFUSED: readonly Rule[] = [
  ...['external_urls', 'ca_cert', 'cert', 'key', 'path'].map((key) => ({
    at: `{services}.etcd.${key}`,
    say: EXTERNAL_ETCD,
  })),
  ...SERVICES.map((name) => ({
    at: `{services}.${name}.extra_args_array`,
    say: 'repeated flags are not supported: give each flag once in extra_args (a comma-separated value where the flag takes a list)',
  })),
  {
    at: 'enable_cri_dockerd',
    when: isFalse,
    say: 'zke always runs cri-dockerd (Kubernetes has had no dockershim since 1.24): remove enable_cri_dockerd: false',
  },
  {
    at: 'cri_dockerd_stream_server_address',
    say: 'not supported: cri-dockerd serves exec/attach/port-forward streams on its own address; remove it',
  },
  {
    at: 'cri_dockerd_stream_server_port',
    say: 'not supported: cri-dockerd serves exec/attach/port-forward streams on its own port; remove it',
  },
  {
    at: 'cloud_provider',
    when: named,
    say: "cloud providers are not supported: remove cloud_provider and deploy the cloud's external cloud-controller-manager as an addon",
  },
  {
    at: 'private_registries[].ecr_credential_plugin',
    say: 'the ECR credential plugin is not supported: give user and password (the output of aws ecr get-login-password)',
  },
  {
    at: 'private_registries[].ca_cert',
    say: "not supported: put the registry's CA in /etc/docker/certs.d/<url>/ca.crt on every node (Docker reads it there)",
  },
  {
    at: 'authentication.webhook',
    say: 'webhook token authentication is not supported: give kube-api extra_args authentication-token-webhook-config-file and mount the file with extra_binds',
  },
  {
    at: 'restore.restore',
    when: isTrue,
    say: 'restore is a command in zke, not a setting: run zke etcd snapshot-restore NAME',
  },
  {
    at: 'rotate_encryption_key',
    when: isTrue,
    say: 'zke rotates the key as an operation of its own: remove rotate_encryption_key and run `zke encrypt rotate-key` (API: POST /v1/clusters/{name}/encryption/rotate-key)',
  },
  {
    at: 'rotate_certificates',
    say: 'rotation is a command in zke, not a setting: run zke cert rotate [--services a,b] [--ca]',
  },
  {
    at: 'dns.nodelocal',
    say: 'NodeLocal DNSCache is not deployed by zke: remove dns.nodelocal (deploy node-local-dns as an addon)',
  },
  { at: 'network.calico_network_provider', say: `calico_network_provider ${PLUGIN_OPTIONS}` },
  { at: 'network.weave_network_provider', say: `weave_network_provider ${PLUGIN_OPTIONS}` },
  { at: 'network.aci_network_provider', say: `aci_network_provider ${PLUGIN_OPTIONS}` },
  {
    at: 'single_cloud_address',
    say: 'zcloud is not part of zke-ts: remove single_cloud_address (no cluster agent connects to zcloud)',
  },
  {
    at: 'loadbalance.enable',
    when: isTrue,
    say: 'the zcloud load balancer controller is not deployed by zke-ts: remove loadbalance and use network.loadbalancer (provider: metallb, with address_pools)',
  },
  {
    at: 'disable_linkerd',
    when: isFalse,
    say: 'linkerd is not deployed by zke-ts: remove disable_linkerd: false (install linkerd yourself)',
  },
];

/** Settings that have no effect by design: a warning says why, nothing else changes. */
export const NO_EFFECT: readonly Rule[] = [
  { at: 'addon_job_timeout', say: 'no effect: zke applies addons through the API, it runs no addon jobs' },
  { at: 'win_prefix_path', say: WINDOWS },
  ...SERVICES.flatMap((name) =>
    ['win_extra_args', 'win_extra_args_array', 'win_extra_binds', 'win_extra_env'].map((key) => ({
      at: `{services}.${name}.${key}`,
      say: WINDOWS,
    })),
  ),
  { at: 'authorization.options', say: 'no effect: RKE reads no authorization option either' },
  {
    at: '{services}.etcd.backup_config.safe_timestamp',
    say: "no effect: zke's snapshot names never hold colons (etcd-snapshot-20261205T101500Z)",
  },
  {
    at: 'dns.linear_autoscaler_params',
    say: 'no effect: zke runs no DNS autoscaler (CoreDNS runs 1 replica, 2 when there is more than one worker)',
  },
  {
    at: 'restore.snapshot_name',
    say: 'no effect without restore: true (zke etcd snapshot-restore NAME restores)',
  },
  { at: 'disable_linkerd', when: isTrue, say: 'no effect: zke-ts never deploys linkerd' },
  {
    at: 'loadbalance',
    when: (v) => !isTrue((v as { enable?: unknown }).enable),
    say: 'no effect: the load balancer is not enabled',
  },
];

/** Every [path, value] the pattern `at` names in `doc`. */
function valuesAt(doc: unknown, at: string): [string, unknown][] {
  const roots = at.startsWith('{services}')
    ? ['services', 'core'].map((r) => at.replace('{services}', r))
    : [at];
  return roots.flatMap((pattern) => walk(doc, pattern.split('.'), ''));
}

function walk(value: unknown, segments: string[], path: string): [string, unknown][] {
  if (segments.length === 0) return value === undefined ? [] : [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  const [segment, ...rest] = segments as [string, ...string[]];
  const list = segment.endsWith('[]');
  const key = list ? segment.slice(0, -2) : segment;
  const child = (value as Record<string, unknown>)[key];
  const at = path ? `${path}.${key}` : key;
  if (!list) return walk(child, rest, at);
  return Array.isArray(child) ? child.flatMap((item, i) => walk(item, rest, `${at}[${i}]`)) : [];
}

function apply(
  rules: readonly Rule[],
  raw: RawCluster,
  report: (path: string, message: string) => void,
): void {
  for (const rule of rules) {
    for (const [path, value] of valuesAt(raw, rule.at)) {
      if (!rule.when || rule.when(value)) report(path, rule.say);
    }
  }
}

/** Reports every setting of `raw` that zke refuses (errors) or that has no effect (warnings). */
export function checkUnsupported(ctx: SpecContext, raw: RawCluster): void {
  apply(REFUSED, raw, (path, message) => ctx.error(path, message));
  apply(NO_EFFECT, raw, (path, message) => ctx.warn(path, message));
}
