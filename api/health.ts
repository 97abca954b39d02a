// Health: is Temporal reachable (within the API's deadline), is a worker polling our task queue, and can the
// cluster store be written? Probes are answered from the latest check (healthMonitor), never waiting on Temporal.
import type { ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { config } from '../common/config.ts';
import type { ClusterStore } from '../common/store.ts';
import { sendJson } from './http/fastPath.ts';

export interface Health {
  status: 'ok' | 'degraded';
  temporal: { address: string; reachable: boolean; error?: string };
  worker: { taskQueue: string; polling: boolean; pollers: number };
  store: { writable: boolean; error?: string };
  /** When this check started. */
  checkedAt: string;
}

export interface HealthDeps {
  client: Client;
  store: ClusterStore;
  /** The queue the API starts workflows on. */
  taskQueue: string;
  deadlineMs: number;
}

export async function checkHealth({ client, store, taskQueue, deadlineMs }: HealthDeps): Promise<Health> {
  const checkedAt = new Date().toISOString();
  const problem = store.probe();
  const health: Health = {
    status: 'degraded',
    temporal: { address: config.temporalAddress, reachable: false },
    worker: { taskQueue, polling: false, pollers: 0 },
    store: { writable: problem === undefined, error: problem },
    checkedAt,
  };
  try {
    const res = await client.withDeadline(Date.now() + deadlineMs, () =>
      client.workflowService.describeTaskQueue({
        namespace: config.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      }),
    );
    health.temporal.reachable = true;
    health.worker.pollers = res.pollers?.length ?? 0;
    health.worker.polling = health.worker.pollers > 0;
  } catch (err) {
    health.temporal.error = (err as Error).message;
  }
  const ok = health.temporal.reachable && health.worker.polling && health.store.writable;
  health.status = ok ? 'ok' : 'degraded';
  return health;
}

/** How long a check's result answers probes before the next probe starts a new check. */
export const HEALTH_FRESH_MS = 1000;

export interface HealthMonitor {
  /** The latest result; only a first probe (or the first after invalidate()) waits for a check. */
  probe(): Promise<Health>;
  /** A request just met a fault (a refused write, Temporal not answering): the next probe checks again. */
  invalidate(): void;
}

/**
 * Probes answered from the latest check. A probe gets the latest result at once and, when that is older than
 * freshMs, starts the next check in the background (one check at a time). A result is so at most freshMs plus
 * one check (bounded by the deadline) old: a frozen Temporal shows as 503 within the deadline and a second, and
 * no probe waits for it.
 */
export function healthMonitor(check: () => Promise<Health>, freshMs = HEALTH_FRESH_MS): HealthMonitor {
  let latest: { health: Health; at: number } | undefined;
  /** Bumped by invalidate(): a check started before it does not answer for after it. */
  let generation = 0;
  let running: { generation: number; health: Promise<Health> } | undefined;
  const refresh = (): Promise<Health> => {
    if (running?.generation === generation) return running.health;
    const started = generation;
    const health = (running?.health.catch(() => undefined) ?? Promise.resolve()).then(check).then((h) => {
      if (started === generation) latest = { health: h, at: Date.now() };
      return h;
    });
    running = { generation: started, health };
    health
      .finally(() => {
        if (running?.health === health) running = undefined;
      })
      .catch(() => undefined);
    return health;
  };
  return {
    async probe() {
      if (!latest) return refresh();
      if (Date.now() - latest.at >= freshMs) refresh().catch(() => undefined);
      return latest.health;
    },
    invalidate() {
      generation++;
      latest = undefined;
    },
  };
}

/** Answers a probe with the latest health: 200 when ok, else 503, the check as JSON. */
export async function answerProbe(monitor: HealthMonitor, res: ServerResponse): Promise<void> {
  const latest = await monitor.probe().catch((err: Error) => ({ status: 'degraded', error: err.message }));
  sendJson(res, latest.status === 'ok' ? 200 : 503, JSON.stringify(latest));
}
