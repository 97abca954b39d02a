// Applying a revision to a running cluster, shared by upgrade and rollback: etcd one member at a time (members
// leave, then the others roll, then new ones join through the members API), control plane then workers in
// windows of max_unavailable, hosts that left the spec drained, deleted and cleaned, then addons and labels.
// The steps, their hosts and bounds are model/plan/steps.ts applyPlanSteps: the list the dry-run prints.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { UpgradePlan } from '../activities/upgradePlan.ts';
import { APPLY_STEPS, type ApplyStepName, applyPlanSteps, type PlanStep } from '../model/plan/steps.ts';
import { eachHost, onEveryHost, onStepHosts } from './hostSteps.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { checkHosts, checkPorts } from './provisionCluster.ts';
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

/** The steps `applyPlanSteps` lists, each run by its handler; the first ("plan changes") plans the others. */
export async function applyRevision(p: Progress, ref: Ref, opts: ApplyOptions = {}): Promise<string[]> {
  const plan = await p.step('plan changes', () => short.planUpgrade(ref));
  describePlan(p, plan);
  const [first, ...rest] = applyPlanSteps(plan);
  if (first?.name !== 'plan changes') throw new Error(`the apply steps start with ${first?.name}`);
  p.status.stepsTotal = p.status.stepsDone.length + rest.length;
  let skipped: string[] = [];
  let uncleaned: string[] = [];
  const active = (step: PlanStep) => step.hosts.filter((h) => !skipped.includes(h));
  const ctx: RollContext = {
    ...ref,
    certs: [...(opts.certs ?? [])],
    drain: plan.drain,
    drainTimeoutSeconds: plan.drainTimeoutSeconds,
    newHosts: plan.hosts.filter((h) => h.isNew).map((h) => h.name),
  };
  const handlers: Record<Exclude<ApplyStepName, 'plan changes'>, (step: PlanStep) => Promise<unknown>> = {
    'check hosts': async () => {
      skipped = await checkHosts(p, plan);
    },
    'port check': (step) => {
      const running = plan.hosts.filter((h) => !h.isNew && !skipped.includes(h.name)).map((h) => h.name);
      return checkPorts(p, step, ref, (s, fn) => onStepHosts(p, s, active(s), fn), running);
    },
    certificates: async () => {
      const pki = await local.ensurePki(ref);
      ctx.certs = [...new Set([...ctx.certs, ...pki.changes.map((c) => c.name)])];
      if (ctx.certs.length) p.event(`certificates changed: ${ctx.certs.join(', ')}`);
    },
    'deploy certificates': (step) =>
      onStepHosts(p, step, active(step), (host) => short.deployHostFiles({ ...ref, host })),
    'etcd plane': () => etcdPlane(p, plan, ctx),
    'control plane': async (step) => {
      const roll = (host: string) => rollHost(p, ctx, host, ['controlplane', 'worker']);
      throwIfFailed(step.name, await rollGroup(p, step.name, active(step), rollingLimit(step), roll));
    },
    'worker plane': (step) => workerPlane(p, step, ctx, active(step), skipped),
    'removed hosts': async (step) => {
      uncleaned = await removeHosts(p, plan, step, ref);
    },
    addons: async () => {
      for (const addon of ['rbac', 'network', ...plan.addons] as const) {
        p.event(`addon ${addon}`);
        await long.applyAddon({ ...ref, addon });
      }
      for (const addon of plan.prunedAddons ?? []) {
        const pruned = await long.pruneAddon({ ...ref, fromRevision: plan.fromRevision!, addon });
        p.event(`addon ${addon}: deleted ${pruned.deleted.length ? pruned.deleted.join(', ') : 'nothing'}`);
      }
    },
    'node labels and taints': (step) => long.syncNodes({ ...ref, hosts: active(step) }),
    kubeconfig: () => short.writeKubeconfig(ref),
  };
  for (const step of rest) {
    if (step.name === 'etcd plane') await opts.beforeEtcd?.();
    await p.step(step.name, () => handlers[step.name as keyof typeof handlers](step));
  }
  return [...skipped, ...uncleaned];
}

function rollingLimit(step: PlanStep): number {
  if (step.run.mode !== 'rolling') throw new Error(`step ${step.name} does not roll`);
  return step.run.maxUnavailable;
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
  step: PlanStep,
  ctx: RollContext,
  hosts: string[],
  unreachable: string[],
): Promise<void> {
  const bound = rollingLimit(step);
  const first = step.run.mode === 'rolling' ? (step.run.first ?? []) : [];
  const etcdFirst = hosts.filter((h) => first.includes(h));
  const rest = hosts.filter((h) => !etcdFirst.includes(h));
  const limit = bound - unreachable.length;
  if (rest.length && limit < 1)
    throw new Error(
      `cannot proceed with the worker plane: ${unreachable.length} worker host(s) cannot be reached and at most ${bound} may be unavailable`,
    );
  const roll = (host: string) => rollHost(p, ctx, host, ['worker']);
  throwIfFailed('worker plane', await rollGroup(p, 'worker plane (etcd hosts)', etcdFirst, 1, roll));
  throwIfFailed('worker plane', await rollGroup(p, 'worker plane', rest, limit, roll));
}

/** Hosts that left the spec: cordon, drain, delete the node, clean the host. Failures leave them incomplete. */
async function removeHosts(p: Progress, plan: UpgradePlan, step: PlanStep, ref: Ref): Promise<string[]> {
  const limit = step.run.mode === 'parallel' ? step.run.limit : 1;
  const failures = await eachHost(p, step.name, step.hosts, limit, async (host) => {
    const node = { ...ref, host };
    const cordon = await short.cordonNode({ ...node, tolerateApiDown: true });
    if (plan.drain && !cordon.apiDown) await long.drainNode(node);
    await short.deleteNode(node);
    await long.cleanHost({ cluster: ref.cluster, host, revision: plan.fromRevision });
  });
  for (const f of failures) p.event(`removed host ${f.host} not cleaned: ${f.error}`);
  return failures.map((f) => f.host);
}
