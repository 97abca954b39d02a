// The worker and the API in the calling process, for the CLI's embedded mode (`zke up` with no server running):
// the same worker and API `npm start` runs as separate processes. Kept out of cli/, which talks to the API over
// HTTP only and never imports the server's modules.
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { config } from '../common/config.ts';
import { TokenStore } from '../common/tokens.ts';

/** The worker on ZKE's task queue; its SDK log (bundler output included) goes to `log`, not the terminal. */
export async function startInProcessWorker(log: string): Promise<{ stop: () => Promise<void> }> {
  const { DefaultLogger, NativeConnection, Runtime } = await import('@temporalio/worker');
  const { createWorker } = await import('../worker/main.ts');
  const { temporalTls } = await import('../common/temporal.ts');
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) =>
      fs.appendFileSync(log, `${new Date().toISOString()} ${entry.level} ${entry.message}\n`),
    ),
    shutdownSignals: [],
  });
  const connection: NativeConnection = await NativeConnection.connect({
    address: config.temporalAddress,
    tls: temporalTls(),
  });
  let worker: Worker;
  try {
    worker = await createWorker(connection, config.taskQueue, { shutdownForceTime: '3s' });
  } catch (error) {
    await connection.close();
    throw error;
  }
  const running = worker.run();
  return {
    stop: async () => {
      worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}

/** The API on 127.0.0.1 (a free port), with a token of this run's own kept outside ZKE_HOME's tokens. */
export async function startInProcessApi(): Promise<{
  url: string;
  token: string;
  stop: () => Promise<void>;
}> {
  const { createApp } = await import('../api/app.ts');
  const { serveApi } = await import('../api/http/server.ts');
  const { connectClient } = await import('../common/temporal.ts');
  const temporal: Client = await connectClient();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zke-embedded-'));
  const tokens = new TokenStore(path.join(dir, 'tokens.json'));
  const token = tokens.create('zke-cli');
  const server: Server = serveApi(createApp({ client: temporal, tokens }), 0, '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await temporal.connection.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
