// The zke worker: runs workflows and activities from the task queue until SIGINT/SIGTERM. Logs go to stderr;
// started by `npm start` (with an IPC channel), it also sends each operation event to the supervisor.
import { fileURLToPath } from 'node:url';
import {
  DefaultLogger,
  type LogEntry,
  NativeConnection,
  Runtime,
  Worker,
  type WorkerOptions,
} from '@temporalio/worker';
import { realDeps } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import { config } from '../common/config.ts';
import { dataConverter, temporalTls } from '../common/temporal.ts';
import { OPERATION_EVENT } from '../workflows/types.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export async function createWorker(
  connection: NativeConnection,
  taskQueue = config.taskQueue,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue,
    workflowsPath,
    activities: createActivities(realDeps()),
    dataConverter: dataConverter(),
    maxConcurrentActivityTaskExecutions: Number(process.env.ZKE_MAX_ACTIVITIES ?? 100),
    ...options,
  });
}

/** An operation event (see workflows/progress.ts) as the supervisor receives it. */
export interface OperationEventMessage {
  operation: string;
  event: string;
}

function reportOperationEvent(entry: LogEntry): void {
  const operation = entry.meta?.[OPERATION_EVENT];
  if (typeof operation !== 'string' || !process.connected) return;
  const message: OperationEventMessage = { operation, event: entry.message };
  process.send?.(message, undefined, undefined, () => undefined); // a gone supervisor is not our failure
}

function installLogger(): void {
  process.channel?.unref(); // the channel alone must not keep the worker alive
  const stderr = new DefaultLogger('INFO');
  const logger = new DefaultLogger('INFO', (entry) => {
    stderr.log(entry.level, entry.message, entry.meta);
    reportOperationEvent(entry);
  });
  Runtime.install({ logger });
}

async function main(): Promise<void> {
  installLogger();
  const connection = await NativeConnection.connect({ address: config.temporalAddress, tls: temporalTls() });
  const worker = await createWorker(connection);
  console.log(`zke worker polling task queue "${config.taskQueue}" on ${config.temporalAddress}`);
  await worker.run();
  await connection.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
