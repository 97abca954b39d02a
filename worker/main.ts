// The zke worker: runs workflows and activities from the task queue until SIGINT/SIGTERM.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { activities } from '../activities/index.ts';
import { config } from '../common/config.ts';
import { dataConverter } from '../common/temporal.ts';

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
    activities,
    dataConverter: dataConverter(),
    maxConcurrentActivityTaskExecutions: Number(process.env.ZKE_MAX_ACTIVITIES ?? 100),
    ...options,
  });
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: config.temporalAddress });
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
