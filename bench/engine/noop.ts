// Scenario "engine": what one activity costs on the dev server. A workflow runs 50 no-op activities in a row;
// from its history, one round trip = the time from scheduling one activity to scheduling the next (dispatch,
// execution, completion, the workflow task that reacts). Plus a client's view: a one-activity workflow, end to end.
import { randomUUID } from 'node:crypto';
import { historyOf } from '../history.ts';
import type { ProvisionRun } from '../scale/provision.ts';
import { median, quantile, say } from '../stats.ts';
import type { BenchTemporal } from '../temporal.ts';

const LOOP = 50;
const SINGLES = 20;

export interface EngineResults {
  loopActivities: number;
  loops: number;
  /** Activity scheduled → next activity scheduled. */
  roundTripMs: { median: number; p90: number };
  /** Activity scheduled → completed (server dispatch + worker execution + completion). */
  activityMs: { median: number };
  /** Client start → result of a workflow with one no-op activity. */
  workflowMs: { median: number; p90: number };
  loopHistory: { events: number; bytes: number };
  /** The same on the production topology (scripts/cluster.sh: four services on PostgreSQL, mTLS). */
  topology?: Omit<EngineResults, 'topology' | 'provision3'>;
  /** One 3-host lab provision on each (wall time split into remote work and overhead). */
  provision3?: { devServer: ProvisionRun; topology: ProvisionRun };
}

async function runWorkflow(t: BenchTemporal, count: number) {
  const handle = await t.client.workflow.start('noopLoop', {
    taskQueue: t.worker.taskQueue,
    workflowId: `bench-noop-${randomUUID()}`,
    args: [count],
  });
  await handle.result();
  return handle;
}

export async function runEngine(t: BenchTemporal, loops: number): Promise<EngineResults> {
  await runWorkflow(t, 3); // warm-up: caches, connections
  const trips: number[] = [];
  const activities: number[] = [];
  let loopHistory = { events: 0, bytes: 0 };
  for (let i = 0; i < loops; i++) {
    const h = await historyOf(await runWorkflow(t, LOOP));
    const scheduled = h.activities.map((a) => a.scheduledAt);
    trips.push(...scheduled.slice(1).map((at, k) => at - scheduled[k]!), h.closedAt - scheduled.at(-1)!);
    activities.push(...h.activities.map((a) => a.closedAt - a.scheduledAt));
    loopHistory = { events: h.events, bytes: h.bytes };
  }
  const singles: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const start = performance.now();
    await runWorkflow(t, 1);
    singles.push(performance.now() - start);
  }
  const results: EngineResults = {
    loopActivities: LOOP,
    loops,
    roundTripMs: { median: median(trips), p90: quantile(trips, 0.9) },
    activityMs: { median: median(activities) },
    workflowMs: { median: median(singles), p90: quantile(singles, 0.9) },
    loopHistory,
  };
  say(
    `engine: round trip ${results.roundTripMs.median.toFixed(1)} ms, workflow ${results.workflowMs.median.toFixed(1)} ms`,
  );
  return results;
}
