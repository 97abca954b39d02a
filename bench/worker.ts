// The benchmark worker, run as a child process so its memory and CPU can be read from /proc: the product's
// workflows and activities plus the benchmark ones, on the task queue given in ZKE_TASK_QUEUE.
// Prints one JSON line `{"ready":true,"bundleMs":...}` once polling; stops on SIGTERM.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { realDeps } from '../activities/deps.ts';
import { createActivities } from '../activities/index.ts';
import { config } from '../common/config.ts';
import { dataConverter, temporalTls } from '../common/temporal.ts';
import { benchActivities } from './activities.ts';

const workflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
const silent = () => undefined;
const logger = {
  log: silent,
  trace: silent,
  debug: silent,
  info: silent,
  warn: silent,
  error: console.error,
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = performance.now();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger });
  const bundleMs = performance.now() - started;
  const connection = await NativeConnection.connect({ address: config.temporalAddress, tls: temporalTls() });
  const worker = await Worker.create({
    connection,
    taskQueue: config.taskQueue,
    workflowBundle,
    activities: { ...createActivities(realDeps()), ...benchActivities },
    dataConverter: dataConverter(),
    maxConcurrentActivityTaskExecutions: Number(process.env.ZKE_MAX_ACTIVITIES ?? 100),
  });
  process.once('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write(`${JSON.stringify({ ready: true, bundleMs })}\n`);
  await running;
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
