// Health: is Temporal reachable (within the API's deadline), is a worker polling our task queue, and can the
// cluster store be written?
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { config } from '../common/config.ts';
import type { ClusterStore } from '../common/store.ts';

export interface Health {
  status: 'ok' | 'degraded';
  temporal: { address: string; reachable: boolean; error?: string };
  worker: { taskQueue: string; polling: boolean; pollers: number };
  store: { writable: boolean; error?: string };
}

export interface HealthDeps {
  client: Client;
  store: ClusterStore;
  /** The queue the API starts workflows on. */
  taskQueue: string;
  deadlineMs: number;
}

export async function checkHealth({ client, store, taskQueue, deadlineMs }: HealthDeps): Promise<Health> {
  const problem = store.probe();
  const health: Health = {
    status: 'degraded',
    temporal: { address: config.temporalAddress, reachable: false },
    worker: { taskQueue, polling: false, pollers: 0 },
    store: { writable: problem === undefined, error: problem },
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
