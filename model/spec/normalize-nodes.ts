// nodes[] of either format -> NodeSpec[], with per-node SSH settings resolved from `option` / top level.

import type { SpecContext } from './context.ts';
import { DEFAULTS } from './defaults.ts';
import type { RawCluster, RawNode, RawScalar } from './raw-schema.ts';
import { TAINT_EFFECTS } from './rules.ts';
import { type NodeSpec, ROLES, type Role, type SecretValue, type SshAccess, type Taint } from './types.ts';

export function secret(value: string | undefined): SecretValue | undefined {
  return value === undefined ? undefined : { secret: true, value };
}

export function stringMap(map: Readonly<Record<string, RawScalar>> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Cluster-wide SSH defaults: zke's `option.*`, RKE's top-level `ssh_key_path`. */
export function sshDefaults(ctx: SpecContext, raw: RawCluster): SshAccess {
  const option = raw.option ?? {};
  if (option.ssh_key !== undefined) ctx.warn('option.ssh_key', INLINE_KEY_WARNING);
  return {
    user: ctx.pick('ssh.user', [{ path: 'option.ssh_user', value: option.ssh_user }], DEFAULTS.sshUser),
    port: ctx.int('option.ssh_port', option.ssh_port, 1, 65535, DEFAULTS.sshPort),
    keyPath: ctx.pick(
      'ssh.keyPath',
      [
        { path: 'option.ssh_key_path', value: option.ssh_key_path },
        { path: 'ssh_key_path', value: raw.ssh_key_path },
      ],
      DEFAULTS.sshKeyPath,
    ),
    key: secret(option.ssh_key),
    ...optional(
      'certPath',
      ctx.pick(
        'ssh.certPath',
        [
          { path: 'option.ssh_cert_path', value: option.ssh_cert_path },
          { path: 'ssh_cert_path', value: raw.ssh_cert_path },
        ],
        undefined as string | undefined,
      ),
    ),
    ...agentAuth(
      ctx.pick(
        'ssh.agent',
        [
          { path: 'option.ssh_agent_auth', value: option.ssh_agent_auth },
          { path: 'ssh_agent_auth', value: raw.ssh_agent_auth },
        ],
        false,
      ),
    ),
  };
}

/** `agent` only when set, so specs without agent authentication keep their shape. */
const agentAuth = (agent: boolean | undefined) => (agent ? { agent: true } : {});

/** `{ [name]: value }` when there is a value, else nothing. */
const optional = <K extends string>(name: K, value: string | undefined) =>
  (value !== undefined ? { [name]: value } : {}) as Partial<Record<K, string>>;

const INLINE_KEY_WARNING = 'inline private key: it is kept only as a secret; prefer ssh_key_path';

/** SSH access of a node (or the bastion): its own fields, else the defaults. */
export function sshAccess(ctx: SpecContext, at: string, given: RawNode, defaults: SshAccess): SshAccess {
  ctx.locate(`${at}.ssh.user`, given.user !== undefined ? `${at}.user` : ctx.at('ssh.user'));
  ctx.locate(
    `${at}.ssh.keyPath`,
    given.ssh_key_path !== undefined ? `${at}.ssh_key_path` : ctx.at('ssh.keyPath'),
  );
  if (given.ssh_key !== undefined) ctx.warn(`${at}.ssh_key`, INLINE_KEY_WARNING);
  const key = secret(given.ssh_key) ?? defaults.key;
  return {
    user: given.user ?? defaults.user,
    port: ctx.int(`${at}.port`, given.port, 1, 65535, defaults.port),
    keyPath: given.ssh_key_path ?? defaults.keyPath,
    ...agentAuth(given.ssh_agent_auth ?? defaults.agent),
    ...optional('cert', given.ssh_cert),
    ...optional('certPath', given.ssh_cert_path ?? defaults.certPath),
    ...(key ? { key } : {}),
    ...(given.host_key !== undefined ? { hostKey: given.host_key } : {}),
  };
}

function roles(ctx: SpecContext, at: string, node: RawNode): Role[] {
  const given = ctx.pick(
    `${at}.roles`,
    [
      { path: `${at}.roles`, value: node.roles },
      { path: `${at}.role`, value: node.role },
    ],
    [] as string[],
  );
  const path = ctx.at(`${at}.roles`);
  if (given.length === 0) ctx.error(path, `at least one role is required (${ROLES.join(', ')})`);
  const known = given.map((role, j) => ctx.member(`${path}[${j}]`, role, ROLES, 'role'));
  return [...new Set(known.filter((role) => role !== undefined))];
}

function taints(ctx: SpecContext, at: string, node: RawNode): Taint[] {
  return (node.taints ?? []).map((taint, j) => {
    const path = `${at}.taints[${j}]`;
    if (taint.key === undefined) ctx.error(`${path}.key`, 'taint key is required');
    if (taint.effect === undefined)
      ctx.error(`${path}.effect`, `taint effect is required (${TAINT_EFFECTS.join(', ')})`);
    const effect = ctx.oneOf(`${path}.effect`, taint.effect, TAINT_EFFECTS, 'taint effect', 'NoSchedule');
    return { key: taint.key ?? '', value: String(taint.value ?? ''), effect };
  });
}

function normalizeNode(
  ctx: SpecContext,
  node: RawNode,
  i: number,
  raw: RawCluster,
  ssh: SshAccess,
): NodeSpec {
  const at = `nodes[${i}]`;
  const address = node.address ?? '';
  if (node.address === undefined) ctx.error(`${at}.address`, 'address is required');
  const name = ctx.pick(
    `${at}.name`,
    [
      { path: `${at}.name`, value: node.name },
      { path: `${at}.hostname_override`, value: node.hostname_override },
    ],
    address,
  );
  ctx.locate(
    `${at}.dockerSocket`,
    node.docker_socket !== undefined ? `${at}.docker_socket` : 'option.docker_socket',
  );
  return {
    name: name.toLowerCase(),
    address,
    internalAddress: node.internal_address ?? address,
    roles: roles(ctx, at, node),
    ssh: sshAccess(ctx, at, node, ssh),
    dockerSocket: node.docker_socket ?? raw.option?.docker_socket ?? DEFAULTS.dockerSocket,
    labels: stringMap(node.labels),
    taints: taints(ctx, at, node),
  };
}

export function normalizeNodes(ctx: SpecContext, raw: RawCluster, ssh: SshAccess): NodeSpec[] {
  return (raw.nodes ?? []).map((node, i) => normalizeNode(ctx, node, i, raw, ssh));
}
