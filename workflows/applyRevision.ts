// Applying a revision to a running cluster, shared by upgrade and rollback: etcd one member at a time (members
// leave, then the others roll, then new ones join through the members API), control plane then workers in
// windows of max_unavailable, hosts that left the spec drained, deleted and cleaned, then addons and labels.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { UpgradePlan } from '../activities/upgradePlan.ts';
import { APPLY_STEPS } from '../model/plan/steps.ts';
import { eachHost, onEveryHost } from './hostSteps.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { checkHosts } from './provisionCluster.ts';
import { type RollContext, rollGroup, rollHost, throwIfFailed } from './rolling.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);

export { APPLY_STEPS };

export interface ApplyOptions {
  /** Certificates changed before this (a rollback restored them): their users restart. */
  certs?: string[];
  /** Runs after the certificates are on the hosts and before etcd is touched (a rollback's restore). */
  beforeEtcd?: () => Promise<void>;
}

type Ref = { cluster: string; revision: number };

/** Returns the hosts left incomplete (unreachable workers, removed hosts that could not be cleaned). */
export async function applyRevision(p: Progress, ref: Ref, opts: ApplyOptions = {}): Promise<string[]> {
  const plan = await p.step('plan changes', () => short.planUpgrade(ref));
  describePlan(p, plan);
  const skipped = await p.step('check hosts', () => checkHosts(p, plan));
  const active = plan.hosts.filter((h) => !skipped.includes(h.name));
  const pki = await p.step('certificates', () => local.ensurePki(ref));
  const certs = [...new Set([...(opts.certs ?? []), ...pki.changes.map((c) => c.name)])];
  if (certs.length) p.event(`certificates changed: ${certs.join(', ')}`);
  await p.step('deploy certificates', () =>
    onEveryHost(
      p,
      'deploy certificates',
      active.map((h) => h.name),
      plan.maxParallelHosts,
      (host) => short.deployHostFiles({ ...ref, host }),
    ),
  );
  await opts.beforeEtcd?.();
  const ctx: RollContext = {
    ...ref,
    certs,
    drain: plan.drain,
    drainTimeoutSeconds: plan.drainTimeoutSeconds,
    newHosts: plan.hosts.filter((h) => h.isNew).map((h) => h.name),
  };
  await p.step('etcd plane', () => etcdPlane(p, plan, ctx));
  const withRole = (role: string, has = true) =>
    active.filter((h) => h.roles.includes(role) === has).map((h) => h.name);
  await p.step('control plane', async () => {
    const outcome = await rollGroup(
      p,
      'control plane',
      withRole('controlplane'),
      plan.maxUnavailableControlplane,
      (host) => rollHost(p, ctx, host, ['controlplane', 'worker']),
    );
    throwIfFailed('control plane', outcome);
  });
  await p.step('worker plane', () => workerPlane(p, plan, ctx, withRole('controlplane', false), skipped));
  const uncleaned = await p.step('removed hosts', () => removeHosts(p, plan, ref));
  await p.step('addons', async () => {
    for (const addon of ['rbac', 'network', ...plan.addons] as const) {
      p.event(`addon ${addon}`);
      await long.applyAddon({ ...ref, addon });
    }
  });
  await p.step('node labels and taints', () => long.syncNodes({ ...ref, hosts: active.map((h) => h.name) }));
  await p.step('kubeconfig', () => short.writeKubeconfig(ref));
  return [...skipped, ...uncleaned];
}

function describePlan(p: Progress, plan: UpgradePlan): void {
  const added = plan.hosts.filter((h) => h.isNew).map((h) => h.name);
  const { keep, add, remove } = plan.etcd;
  if (added.length) p.event(`new hosts: ${added.join(', ')}`);
  if (plan.removedHosts.length) p.event(`removed hosts: ${plan.removedHosts.join(', ')}`);
  if (add.length || remove.length)
    p.event(
      `etcd members: keep [${keep.join(', ')}], add [${add.join(', ')}], remove [${remove.join(', ')}]`,
    );
}

/** Members leave first (the new members' initial-cluster must equal the member list), then roll, then join. */
async function etcdPlane(p: Progress, plan: UpgradePlan, ctx: RollContext): Promise<void> {
  const ref = { cluster: ctx.cluster, revision: ctx.revision };
  const { keep, add, remove } = plan.etcd;
  for (const host of remove) {
    const out = await long.removeEtcdMember({ ...ref, host, fromRevision: plan.fromRevision! });
    p.event(
      `etcd member ${host} ${out.removed ? 'removed' : 'was not a member'}; ${out.cleaned}; members now [${out.members.join(', ')}]`,
    );
  }
  const fresh =
    keep.length || add.length ? [] : plan.hosts.filter((h) => h.roles.includes('etcd')).map((h) => h.name);
  const members = fresh.length ? fresh : [...keep];
  for (const host of [...keep, ...fresh]) {
    await onEveryHost(p, 'etcd plane', [host], 1, () => rollEtcdHost(ctx, host));
    if (!fresh.length) await long.waitEtcdHealthy({ ...ref, hosts: members });
  }
  for (const host of add) {
    const out = await long.addEtcdMember({ ...ref, host });
    p.event(
      `etcd member ${host} ${out.added ? 'added' : 'already a member'}; members now [${out.members.join(', ')}]`,
    );
    await onEveryHost(p, 'etcd plane', [host], 1, () => rollEtcdHost(ctx, host));
    members.push(host);
    await long.waitEtcdHealthy({ ...ref, hosts: members });
  }
  await long.waitEtcdHealthy({ ...ref, hosts: members });
}

async function rollEtcdHost(ctx: RollContext, host: string): Promise<void> {
  const ref = { cluster: ctx.cluster, revision: ctx.revision, host };
  const pending = await short.pendingChanges({ ...ref, planes: ['etcd'], certs: ctx.certs });
  await long.reconcileHost({ ...ref, plane: 'etcd' });
  if (pending.restarts.length) await long.restartContainers({ ...ref, containers: pending.restarts });
}

/** Hosts with etcd one at a time, then the others in windows of max_unavailable_worker (less unreachable ones). */
async function workerPlane(
  p: Progress,
  plan: UpgradePlan,
  ctx: RollContext,
  hosts: string[],
  unreachable: string[],
): Promise<void> {
  const roles = (host: string) => plan.hosts.find((h) => h.name === host)?.roles ?? [];
  const etcdFirst = hosts.filter((h) => roles(h).includes('etcd'));
  const rest = hosts.filter((h) => !etcdFirst.includes(h));
  const limit = plan.maxUnavailableWorker - unreachable.length;
  if (rest.length && limit < 1)
    throw new Error(
      `cannot proceed with the worker plane: ${unreachable.length} worker host(s) cannot be reached and at most ${plan.maxUnavailableWorker} may be unavailable`,
    );
  const roll = (host: string) => rollHost(p, ctx, host, ['worker']);
  throwIfFailed('worker plane', await rollGroup(p, 'worker plane (etcd hosts)', etcdFirst, 1, roll));
  throwIfFailed('worker plane', await rollGroup(p, 'worker plane', rest, limit, roll));
}

/** Hosts that left the spec: cordon, drain, delete the node, clean the host. Failures leave them incomplete. */
async function removeHosts(p: Progress, plan: UpgradePlan, ref: Ref): Promise<string[]> {
  const failures = await eachHost(
    p,
    'removed hosts',
    plan.removedHosts,
    plan.maxParallelHosts,
    async (host) => {
      const node = { ...ref, host };
      const cordon = await short.cordonNode({ ...node, tolerateApiDown: true });
      if (plan.drain && !cordon.apiDown) await long.drainNode(node);
      await short.deleteNode(node);
      await long.cleanHost({ cluster: ref.cluster, host, revision: plan.fromRevision });
    },
  );
  for (const f of failures) p.event(`removed host ${f.host} not cleaned: ${f.error}`);
  return failures.map((f) => f.host);
}
