// The benchmark's Temporal: a dev server (pinned CLI, SQLite in the scratch dir), a client, and the bench
// worker in a child process (so /proc tells its memory and CPU).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { connectClient } from '../common/temporal.ts';
import { clusterScript } from '../scripts/clusterScript.ts';
import { startDevServer, stopProcess } from '../scripts/devServer.ts';
import { scratch } from './env.ts';
import { say } from './stats.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));

export interface ChildWorker {
  process: ChildProcess;
  pid: number;
  taskQueue: string;
  /** Time to bundle the workflow code at start. */
  bundleMs: number;
  stop(): Promise<void>;
}

export interface BenchTemporal {
  address: string;
  serverPid: number;
  client: Client;
  worker: ChildWorker;
  close(): Promise<void>;
}

/** Spawns `node --import tsx <script>` with extra env; resolves with the first stdout line that parses as JSON. */
export async function spawnNode(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; first: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, script)], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
    lines.on('line', (line) => {
      try {
        resolve(JSON.parse(line));
      } catch {
        process.stderr.write(`${script}: ${line}\n`);
      }
    });
  });
  child.removeAllListeners('exit');
  return { child, first };
}

async function startWorker(address: string): Promise<ChildWorker> {
  const taskQueue = `bench-${randomUUID()}`;
  const { child, first } = await spawnNode('bench/worker.ts', {
    TEMPORAL_ADDRESS: address,
    ZKE_TASK_QUEUE: taskQueue,
  });
  return {
    process: child,
    pid: child.pid!,
    taskQueue,
    bundleMs: Number(first.bundleMs),
    stop: () => stopProcess(child),
  };
}

/** The worker and client on a server that is already up; `stopServer` ends it with them. */
async function benchOn(
  address: string,
  serverPid: number,
  stopServer: () => Promise<void>,
): Promise<BenchTemporal> {
  const client = await connectClient(address);
  const worker = await startWorker(address).catch(async (err) => {
    await stopServer();
    throw err;
  });
  say(`bench worker pid ${worker.pid} (workflow bundle ${(worker.bundleMs / 1000).toFixed(1)} s)`);
  return {
    address,
    serverPid,
    client,
    worker,
    async close() {
      await worker.stop();
      await client.connection.close();
      await stopServer();
    },
  };
}

/**
 * The production topology instead of the dev server: scripts/cluster.sh (Temporal's four services on PostgreSQL,
 * mTLS), stopped and removed with the rest; this process's environment gets its TLS files, so the worker inherits
 * them.
 */
export async function startBenchTopology(): Promise<BenchTemporal> {
  const topology = clusterScript(); // not in the 0700 scratch dir: PostgreSQL's user must reach its data
  const address = topology.up();
  say(`Temporal cluster at ${address} (mTLS)`);
  return benchOn(address, topology.pidOf('frontend'), async () => {
    topology.run('down');
  });
}

export async function startBenchTemporal(): Promise<BenchTemporal> {
  const server = await startDevServer({
    cli: process.env.TEMPORAL_CLI ?? path.join(repo, '.zke/tools/py/bin/temporal'),
    dbFile: path.join(scratch, 'temporal.db'),
    port: 27233 + Math.floor(Math.random() * 1000),
    logFile: path.join(scratch, 'temporal.log'),
  });
  say(`Temporal dev server at ${server.address}`);
  return benchOn(server.address, server.process.pid!, () => server.stop());
}
