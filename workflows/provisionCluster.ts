// ProvisionCluster (`zke up`): the seed's steps, each a retryable, idempotent activity. Re-running it on a
// provisioned cluster with an unchanged spec changes nothing on any host.
import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Plane } from '../activities/reconcile.ts';
import { ClusterName, ClusterOperation } from '../common/searchAttributes.ts';
import {
  type PlanStep,
  PROVISION_STEPS,
  type ProvisionStepName,
  provisionPlan,
} from '../model/plan/steps.ts';
import { rootMessage } from './concurrency.ts';
import { eachHost, onHost, onStepHosts, stepFailure } from './hostSteps.ts';
import { localStep, longStep, probeStep, shortStep } from './options.ts';
import { Progress } from './progress.ts';
import { NOT_AFTER, type OperationKind, type OperationResult, type ProvisionInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);
const probe = proxyActivities<Activities>(probeStep);

export { PROVISION_STEPS };

export async function provisionCluster(input: ProvisionInput): Promise<OperationResult> {
  return runOperation('provision', input.cluster, input.revision, PROVISION_STEPS, (p) =>
    provisionSteps(p, input),
  );
}

/** The provisioning sequence: the steps `provisionPlan` lists (what the dry-run prints), each run by its handler. */
export async function provisionSteps(p: Progress, input: ProvisionInput): Promise<string[]> {
  const { cluster, revision } = input;
  const ref = { cluster, revision };
  const layout = await local.loadClusterLayout(ref);
  let skipped: string[] = [];
  const onHosts = (step: PlanStep, fn: (host: string) => Promise<unknown>) =>
    onStepHosts(
      p,
      step,
      step.hosts.filter((h) => !skipped.includes(h)),
      fn,
    );
  const reconcile = (plane: Plane) => (step: PlanStep) =>
    onHosts(step, (host) =>
      long.reconcileHost.executeWithOptions(onHost(step.name, host), [{ ...ref, host, plane }]),
    );
  const handlers: Record<ProvisionStepName, (step: PlanStep) => Promise<unknown>> = {
    'check hosts': async () => {
      skipped = await checkHosts(p, layout);
    },
    'port check': (step) => checkPorts(p, step, ref, onHosts),
    certificates: () => local.ensurePki(ref),
    'deploy certificates': (step) =>
      onHosts(step, (host) =>
        short.deployHostFiles.executeWithOptions(onHost(step.name, host), [{ ...ref, host }]),
      ),
    'etcd plane': async (step) => {
      await reconcile('etcd')(step);
      await long.waitEtcdHealthy(ref);
    },
    'control plane': reconcile('controlplane'),
    rbac: () => long.applyAddon({ ...ref, addon: 'rbac' }),
    'worker plane': reconcile('worker'),
    'network plugin': () => long.applyAddon({ ...ref, addon: 'network' }),
    addons: async () => {
      for (const addon of layout.addons) {
        p.event(`addon ${addon}`);
        await long.applyAddon({ ...ref, addon });
      }
    },
    'node labels and taints': (step) =>
      long.syncNodes({ ...ref, hosts: step.hosts.filter((h) => !skipped.includes(h)) }),
    kubeconfig: () => short.writeKubeconfig(ref),
  };
  const steps = provisionPlan(layout);
  p.status.stepsTotal = steps.length;
  for (const step of steps) await p.step(step.name, () => handlers[step.name](step));
  return skipped;
}

type OnHosts = (step: PlanStep, fn: (host: string) => Promise<unknown>) => Promise<void>;

/**
 * Listeners on the step's hosts, then probes from them, then the listeners removed whatever happened.
 * `running`: hosts already provisioned (an upgrade adding hosts), whose services answer the probes themselves.
 */
export async function checkPorts(
  p: Progress,
  step: PlanStep,
  ref: { cluster: string; revision: number },
  onHosts: OnHosts,
  running: readonly string[] = [],
): Promise<void> {
  const listening: Record<string, string[]> = Object.fromEntries(running.map((h) => [h, []]));
  const tried: string[] = [];
  try {
    await onHosts(step, async (host) => {
      tried.push(host);
      const opened = await long.openPortListeners.executeWithOptions(onHost(step.name, host), [
        { ...ref, host },
      ]);
      listening[host] = opened.listening;
    });
    await onHosts(step, async (host) => {
      const out = await long.probeHostPorts.executeWithOptions(onHost(step.name, host), [
        { ...ref, host, listening },
      ]);
      p.event(`${host}: ${out.probed} peer port(s) reached`);
    });
  } finally {
    await CancellationScope.nonCancellable(() =>
      Promise.allSettled(tried.map((host) => short.closePortListeners({ ...ref, host }))),
    );
  }
}

interface Layout {
  hosts: { name: string; roles: string[] }[];
  maxParallelHosts: number;
  ignoreDockerVersion: boolean;
}

/** Unreachable worker-only hosts are skipped; any problem on an etcd/controlplane host, or a permanent one, fails. */
export async function checkHosts(p: Progress, layout: Layout & { cluster: string }): Promise<string[]> {
  const failures = await eachHost(
    p,
    'check hosts',
    layout.hosts.map((h) => h.name),
    layout.maxParallelHosts,
    async (host) => {
      const facts = await probe.checkClusterHost.executeWithOptions(onHost('check hosts', host), [
        {
          cluster: layout.cluster,
          host,
          ignoreDockerVersion: layout.ignoreDockerVersion,
        },
      ]);
      const pinned = facts.pinnedNow ? `; SSH host key ${facts.hostKey} pinned (first contact)` : '';
      p.event(`${host}: ${facts.hostname}, Docker ${facts.dockerVersion}${pinned}`);
    },
  );
  // a fatal failure fails the step naming every host that failed, unreachable workers included
  if (failures.some((f) => f.permanent || !isWorkerOnly(layout, f.host)))
    throw stepFailure('check hosts', failures);
  const skipped = failures.map((f) => f.host);
  for (const host of skipped)
    p.host(host, {
      state: 'skipped',
      step: 'check hosts',
      error: failures.find((f) => f.host === host)?.error,
    });
  if (skipped.length) p.event(`incomplete: hosts [${skipped.join(', ')}] skipped (unreachable)`);
  return skipped;
}

function isWorkerOnly(layout: Layout, host: string): boolean {
  const roles = layout.hosts.find((h) => h.name === host)?.roles ?? [];
  return !roles.includes('etcd') && !roles.includes('controlplane');
}

/** A start Temporal took in after the API's deadline (the API answered 503) ends here, having done nothing. */
function refuseLateStart(): void {
  const { memo, runStartTime } = workflowInfo();
  const notAfter = memo?.[NOT_AFTER];
  if (typeof notAfter !== 'string' || runStartTime.getTime() <= Date.parse(notAfter)) return;
  throw ApplicationFailure.create({
    type: 'StartedTooLate',
    nonRetryable: true,
    message: `Temporal took this start in at ${runStartTime.toISOString()}, after the API had answered 503 (deadline ${notAfter}): nothing was done`,
  });
}

/** Common frame of every cluster operation: search attributes, status, a recorded outcome, clean cancel. */
/** The cluster's sealed copy of its record onto its etcd and control plane hosts; never fails the operation. */
async function saveStateCopy(kind: OperationKind, cluster: string): Promise<void> {
  if (kind === 'remove') return;
  const copies = await probe.saveStateCopy({ cluster }).catch(() => undefined);
  if (copies?.failed.length)
    log.warn('state copy not saved on every host', { cluster, failed: copies.failed });
}

export async function runOperation(
  kind: OperationKind,
  cluster: string,
  revision: number | undefined,
  steps: readonly string[],
  body: (p: Progress) => Promise<string[]>,
): Promise<OperationResult> {
  refuseLateStart();
  upsertSearchAttributes([
    { key: ClusterName, value: cluster },
    { key: ClusterOperation, value: kind },
  ]);
  const p = new Progress(cluster, kind, steps, revision);
  const operationId = `${cluster}.${workflowInfo().runId}`;
  try {
    const skipped = await body(p);
    if (skipped.length) p.status.incomplete = skipped;
    p.finish('succeeded');
    const summary = skipped.length
      ? `incomplete: hosts [${skipped.join(', ')}] skipped`
      : `${kind} succeeded`;
    // The body may set the revision (a rollback creates its revision in its first step).
    await short.recordOperation({
      cluster,
      revision: p.status.revision,
      kind,
      operationId,
      status: p.status,
      summary,
    });
    await saveStateCopy(kind, cluster);
    return { status: p.status, skippedHosts: skipped, summary };
  } catch (err) {
    const cancelled = isCancellation(err);
    p.finish(cancelled ? 'cancelled' : 'failed', rootMessage(err as Error));
    await CancellationScope.nonCancellable(async () => {
      await short.recordOperation({
        cluster,
        revision: p.status.revision,
        kind,
        operationId,
        status: p.status,
        summary: p.status.error ?? '',
      });
      await saveStateCopy(kind, cluster); // a failed operation may have changed the record too (certificates)
    });
    if (cancelled || err instanceof ApplicationFailure) throw err;
    throw ApplicationFailure.create({
      type: 'OperationFailed',
      message: rootMessage(err as Error),
      nonRetryable: true,
    });
  }
}
