// Node checks: addresses, names, SSH settings, labels, taints, duplicates and role counts.
import type { SpecContext } from './context.ts';
import { childPath } from './paths.ts';
import * as rules from './rules.ts';
import type { ClusterSpec, NodeSpec, Role } from './types.ts';

const SSH_USER = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/** Reports `rule`'s problem at `path`, if any. */
export function check(ctx: SpecContext, path: string, value: string, rule: rules.Rule): void {
  const problem = rule(value);
  if (problem) ctx.error(path, problem);
}

export function checkLabels(ctx: SpecContext, path: string, labels: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(labels)) {
    check(ctx, childPath(path, key), key, rules.labelKey);
    check(ctx, childPath(path, key), value, rules.labelValue);
  }
}

const sshUser: rules.Rule = (v) =>
  SSH_USER.test(v) ? null : `${JSON.stringify(v)} is not a valid user name (letters, digits, "_", ".", "-")`;

function checkNode(ctx: SpecContext, node: NodeSpec, i: number): void {
  const at = `nodes[${i}]`;
  if (node.address !== '') check(ctx, `${at}.address`, node.address, rules.address);
  if (node.internalAddress !== node.address) {
    check(ctx, `${at}.internal_address`, node.internalAddress, rules.address);
  }
  if (node.name !== '') check(ctx, ctx.at(`${at}.name`), node.name, rules.dns1123Subdomain);
  check(ctx, ctx.at(`${at}.ssh.user`), node.ssh.user, sshUser);
  check(ctx, ctx.at(`${at}.ssh.keyPath`), node.ssh.keyPath, rules.localPath);
  if (node.ssh.hostKey !== undefined)
    check(ctx, `${at}.host_key`, node.ssh.hostKey, rules.hostKeyFingerprint);
  check(ctx, ctx.at(`${at}.dockerSocket`), node.dockerSocket, rules.absolutePath);
  checkLabels(ctx, `${at}.labels`, node.labels);
  node.taints.forEach((taint, j) => {
    if (taint.key !== '') check(ctx, `${at}.taints[${j}].key`, taint.key, rules.labelKey);
    check(ctx, `${at}.taints[${j}].value`, taint.value, rules.labelValue);
  });
}

/** Reports the second and later nodes that repeat a value. */
function checkUnique(
  ctx: SpecContext,
  nodes: readonly NodeSpec[],
  field: string,
  what: string,
  of: (n: NodeSpec) => string,
) {
  const seen = new Map<string, number>();
  nodes.forEach((node, i) => {
    const value = of(node);
    const first = seen.get(value);
    if (value === '') return;
    if (first === undefined) seen.set(value, i);
    else ctx.error(ctx.at(`nodes[${i}].${field}`), `duplicate ${what} "${value}" (also nodes[${first}])`);
  });
}

const ROLE_NEEDS: readonly { role: Role; counts: readonly Role[] }[] = [
  { role: 'etcd', counts: ['etcd'] },
  { role: 'controlplane', counts: ['controlplane'] },
  { role: 'worker', counts: ['worker', 'edge'] },
];

function checkRoleCounts(ctx: SpecContext, nodes: readonly NodeSpec[]): void {
  for (const { role, counts } of ROLE_NEEDS) {
    if (!nodes.some((n) => n.roles.some((r) => counts.includes(r)))) {
      const alias = counts.length > 1 ? ` (or ${counts.slice(1).join(', ')})` : '';
      ctx.error('nodes', `no node has the ${role} role${alias}: at least one is required`);
    }
  }
  const etcd = nodes.filter((n) => n.roles.includes('etcd')).length;
  if (etcd > 0 && etcd % 2 === 0) {
    ctx.warn(
      'nodes',
      `${etcd} etcd nodes: an even count tolerates no more failures than ${etcd - 1}; use an odd number`,
    );
  }
}

export function validateNodes(ctx: SpecContext, spec: ClusterSpec): void {
  if (spec.nodes.length === 0) {
    ctx.error('nodes', 'at least one node is required');
    return;
  }
  spec.nodes.forEach((node, i) => {
    checkNode(ctx, node, i);
  });
  checkUnique(ctx, spec.nodes, 'name', 'node name', (n) => n.name);
  checkUnique(ctx, spec.nodes, 'address', 'address', (n) => n.address);
  checkRoleCounts(ctx, spec.nodes);
  const zkeIngress = spec.sourceFormat === 'zke' && spec.ingress.provider !== 'none';
  if (zkeIngress && !spec.nodes.some((n) => n.roles.includes('edge'))) {
    ctx.warn(
      'nodes',
      'no node has the edge role: in zke format the ingress controller runs only on edge nodes',
    );
  }
}
