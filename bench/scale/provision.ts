// One measured provision: ProvisionCluster on the first n lab hosts (etcd + control plane on three, the
// rest workers), stopped at the first step whose images the lab does not have yet; then its history split
// per step into remote work on the critical path and orchestration overhead.
import type { WorkflowHandle } from '@temporalio/client';
import { ClusterPhase } from '../../common/searchAttributes.ts';
import { labClusterYaml, parseOrThrow, submitRevision } from '../../test/support/cluster.ts';
import { type LabHost, labExec } from '../../test/support/lab.ts';
import { clusterWorkflowId } from '../../workflows/types.ts';
import { splitWindow, type TimeSplit } from '../criticalPath.ts';
import { type HistoryFacts, historyOf } from '../history.ts';
import { sleep } from '../stats.ts';
import type { BenchTemporal } from '../temporal.ts';
import { firstBlockedStep, type StopPoint } from './images.ts';

const TIMEOUT_MS = 15 * 60_000;
const FINAL_PHASES = ['succeeded', 'failed', 'cancelled'];

export interface StepTime extends TimeSplit {
  step: string;
}

export interface ProvisionRun {
  size: number;
  run: number;
  /** 'complete', 'stopped before <step>' or 'failed: <why>'. */
  outcome: string;
  /** Images the lab registry lacks (why a provision stopped early). */
  missingImages: string[];
  wall: TimeSplit;
  steps: StepTime[];
  history: { events: number; bytes: number; payloadBytes: number };
  activities: number;
  retries: number;
}

function rolesOf(hosts: readonly LabHost[]): Record<string, string[]> {
  return Object.fromEntries(
    hosts.map((h, i) => [h.name, i < 3 ? ['etcd', 'controlplane', 'worker'] : ['worker']]),
  );
}

/** Removes what a previous provision left on the hosts (containers, certificates, etcd data). */
export async function wipeHosts(hosts: readonly LabHost[]): Promise<void> {
  const dirs = '/etc/kubernetes /var/lib/etcd /opt/zke /var/lib/kubelet /var/lib/cri-dockerd /var/lib/cni';
  await Promise.all(
    hosts.map((h) =>
      labExec(h.name, ['sh', '-c', `docker rm -f $(docker ps -aq) >/dev/null 2>&1; rm -rf ${dirs}`]),
    ),
  );
}

/** Polls the ClusterPhase search attribute; terminates the workflow when it reaches `stop`. */
async function runUntil(handle: WorkflowHandle, stop: StopPoint): Promise<string> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const d = await handle.describe();
    const phase = d.typedSearchAttributes.get(ClusterPhase);
    if (d.status.name !== 'RUNNING') {
      if (d.status.name === 'COMPLETED') return 'complete';
      const err = await handle.result().then(
        () => '',
        (e: Error) => (e.cause as Error | undefined)?.message ?? e.message,
      );
      return `failed: ${err}`;
    }
    if (stop.step && phase === stop.step) {
      await handle.terminate(`bench: ${stop.step} needs images the lab lacks: ${stop.missing.join(', ')}`);
      return `stopped before ${stop.step}`;
    }
    if (Date.now() > deadline) {
      await handle.terminate('bench: timeout');
      return `failed: timeout in ${phase}`;
    }
    await sleep(250);
  }
}

function stepTimes(h: HistoryFacts, stopStep: string | undefined): { wall: TimeSplit; steps: StepTime[] } {
  const marks = h.phases.filter((m) => !FINAL_PHASES.includes(m.name));
  const stopAt = marks.find((m) => m.name === stopStep)?.at;
  const end = stopAt ?? h.phases.find((m) => FINAL_PHASES.includes(m.name))?.at ?? h.closedAt;
  const measured = marks.filter((m) => m.at < end);
  const steps = measured.map((m, i) => ({
    step: m.name,
    ...splitWindow(h.activities, m.at, measured[i + 1]?.at ?? end),
  }));
  return { wall: splitWindow(h.activities, h.startedAt, end), steps };
}

export async function provisionOnce(
  t: BenchTemporal,
  hosts: readonly LabHost[],
  run: number,
): Promise<ProvisionRun> {
  const cluster = `bench-n${hosts.length}-r${run}`;
  const spec = parseOrThrow(labClusterYaml(cluster, [...hosts], rolesOf(hosts)));
  const revision = submitRevision(spec);
  const stop = await firstBlockedStep(spec);
  await wipeHosts(hosts);
  const handle = await t.client.workflow.start('provisionCluster', {
    taskQueue: t.worker.taskQueue,
    workflowId: clusterWorkflowId(cluster),
    args: [{ cluster, revision }],
  });
  const outcome = await runUntil(handle, stop);
  const h = await historyOf(handle);
  return {
    size: hosts.length,
    run,
    outcome,
    missingImages: stop.missing,
    ...stepTimes(h, outcome.startsWith('stopped') ? stop.step : undefined),
    history: { events: h.events, bytes: h.bytes, payloadBytes: h.payloadBytes },
    activities: h.activities.length,
    retries: h.activities.filter((a) => a.attempt > 1 || !a.ok).length,
  };
}
