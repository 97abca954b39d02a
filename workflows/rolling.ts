// Rolling a host through a change (upgrade, rollback): skip it when nothing would change; otherwise cordon,
// optionally drain, reconcile its planes, restart what reads changed certificates, remove containers it no
// longer plans, wait until its node is Ready, uncordon. Hosts go in windows of at most maxUnavailable.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Plane } from '../activities/reconcile.ts';
import { hostError, hostErrorList } from './hostSteps.ts';
import { longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { rollingWindow, type WindowOutcome } from './window.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);

export interface RollContext {
  cluster: string;
  revision: number;
  /** Certificates that changed in this operation (their users restart). */
  certs: string[];
  drain: boolean;
  drainTimeoutSeconds: number;
  /** Hosts without a Kubernetes node yet (nothing to cordon, drain or uncordon before). */
  newHosts: string[];
}

export async function rollHost(p: Progress, ctx: RollContext, host: string, planes: Plane[]): Promise<void> {
  const ref = { cluster: ctx.cluster, revision: ctx.revision, host };
  const isNew = ctx.newHosts.includes(host);
  const pending = await short.pendingChanges({ ...ref, planes, certs: ctx.certs });
  if (!pending.changes.length && !pending.restarts.length) {
    if (!isNew) await short.uncordonNode(ref); // cordoned by an interrupted earlier run
    p.event(`${host}: no change`);
    return;
  }
  p.event(
    `${host}: ${[...pending.changes, ...pending.restarts.map((r) => `${r}: restart (certificates)`)].join('; ')}`,
  );
  if (!isNew) await prepareNode(p, ctx, host, planes.includes('controlplane'));
  for (const plane of planes) await long.reconcileHost({ ...ref, plane });
  if (pending.restarts.length) await long.restartContainers({ ...ref, containers: pending.restarts });
  await short.removeUnplannedContainers(ref);
  await long.waitNodeReady(ref);
  await short.uncordonNode(ref);
}

/** Cordon and drain; a controlplane host may be the reason the API is down, then it is repaired uncordoned. */
async function prepareNode(
  p: Progress,
  ctx: RollContext,
  host: string,
  controlplane: boolean,
): Promise<void> {
  const ref = { cluster: ctx.cluster, revision: ctx.revision, host };
  const cordon = await short.cordonNode({ ...ref, tolerateApiDown: controlplane });
  if (cordon.apiDown) {
    p.event(`${host}: not cordoned, the API is unavailable (${cordon.apiDown})`);
    return;
  }
  if (ctx.drain) {
    const drainer = proxyActivities<Activities>({
      ...longStep,
      startToCloseTimeout: `${ctx.drainTimeoutSeconds + 120}s`,
    });
    const drained = await drainer.drainNode(ref);
    p.event(`${host}: drained (${drained.evicted.length} pod(s) evicted)`);
  }
}

/** Rolls hosts in a window, with per-host progress; returns the outcome instead of throwing. */
export async function rollGroup(
  p: Progress,
  step: string,
  hosts: readonly string[],
  limit: number,
  fn: (host: string) => Promise<unknown>,
): Promise<WindowOutcome> {
  if (hosts.length) p.event(`${step}: ${hosts.length} host(s), at most ${limit} unavailable at once`);
  const outcome = await rollingWindow(hosts, limit, async (host) => {
    p.host(host, { state: 'running', step });
    try {
      await fn(host);
      p.host(host, { state: 'done', step });
    } catch (err) {
      p.host(host, { state: 'failed', step, error: hostError(host, err as Error) });
      throw err;
    }
  });
  for (const host of outcome.notStarted) p.host(host, { state: 'pending', step });
  return outcome;
}

/** Fails the step when any host failed, naming the failed hosts and those never started. */
export function throwIfFailed(step: string, outcome: WindowOutcome): void {
  if (!outcome.failed.length) return;
  const failed = outcome.failed.map((f) => ({ host: f.host, error: hostError(f.host, f.error) }));
  const untouched = outcome.notStarted.length
    ? `; stopped (as many hosts failed as may be unavailable), not started: [${outcome.notStarted.join(', ')}]`
    : '';
  throw ApplicationFailure.create({
    type: 'RollingUpdateFailed',
    message: `${step} failed on ${outcome.failed.length} host(s): ${hostErrorList(failed)}${untouched}`,
    nonRetryable: true,
    details: [{ failed: outcome.failed.map((f) => f.host), notStarted: outcome.notStarted }],
  });
}
