// Health: is Temporal reachable, and is a worker polling our task queue?
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { config } from '../common/config.ts';

export interface Health {
  status: 'ok' | 'degraded';
  temporal: { address: string; reachable: boolean; error?: string };
  worker: { taskQueue: string; polling: boolean; pollers: number };
}

export async function checkHealth(client: Client): Promise<Health> {
  const health: Health = {
    status: 'degraded',
    temporal: { address: config.temporalAddress, reachable: false },
    worker: { taskQueue: config.taskQueue, polling: false, pollers: 0 },
  };
  try {
    const res = await client.workflowService.describeTaskQueue({
      namespace: config.namespace,
      taskQueue: { name: config.taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    health.temporal.reachable = true;
    health.worker.pollers = res.pollers?.length ?? 0;
    health.worker.polling = health.worker.pollers > 0;
  } catch (err) {
    health.temporal.error = (err as Error).message;
  }
  health.status = health.temporal.reachable && health.worker.polling ? 'ok' : 'degraded';
  return health;
}
