// Test harness: a real Temporal dev server (one per test run, started by scripts/test.sh and passed in
// ZKE_TEST_TEMPORAL; or started here for a single file), a client, and workers on unique task queues.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import {
  bundleWorkflowCode,
  GracefulShutdownPeriodExpiredError,
  NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { realDeps } from '../../activities/deps.ts';
import { createActivities } from '../../activities/index.ts';
import { connectClient, dataConverter, failureConverterPath, temporalTls } from '../../common/temporal.ts';
import { type DevServer, startDevServer } from '../../scripts/devServer.ts';
import { workflowsPath } from '../../worker/main.ts';
import { tempDir } from './tempDir.ts';

export interface TestTemporal {
  address: string;
  client: Client;
  connection: NativeConnection;
  close(): Promise<void>;
}

const scratch = tempDir('zke-test');
process.env.ZKE_KEYRING ??= path.join(scratch, 'keyring.json');
process.env.ZKE_HOME ??= path.join(scratch, 'home');

export async function testTemporal(): Promise<TestTemporal> {
  let server: DevServer | undefined;
  let address = process.env.ZKE_TEST_TEMPORAL;
  if (!address) {
    server = await startDevServer({
      cli: process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal'),
      dbFile: path.join(scratch, 'temporal.db'),
      port: 17233 + Math.floor(Math.random() * 1000),
      logFile: path.join(scratch, 'temporal.log'),
    });
    address = server.address;
  }
  const client = await connectClient(address);
  const connection = await NativeConnection.connect({ address, tls: temporalTls() });
  return {
    address,
    client,
    connection,
    async close() {
      await client.connection.close();
      await connection.close();
      await server?.stop();
    },
  };
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Starts a worker on a fresh task queue; returns it with its queue name. Bundles workflows once per file. */
export async function startTestWorker(
  t: TestTemporal,
  activities: object = createActivities(realDeps()),
): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  bundle ??= bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: quietLogger });
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: t.connection,
    taskQueue,
    workflowBundle: await bundle,
    activities,
    dataConverter: dataConverter(),
    // an activity that ignores its cancellation must not keep the test file's process alive (the runner would
    // wait for it until the file's timeout): past this, the worker gives up on it and run() rejects
    shutdownForceTime: '30s',
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running.catch((err: Error) => {
        if (!(err instanceof GracefulShutdownPeriodExpiredError)) throw err;
        console.error(
          `test worker: an activity ignored its cancellation; given up after 30 s (${err.message})`,
        );
      });
    },
  };
}

const quietLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error: (m: string) => console.error(m),
};
