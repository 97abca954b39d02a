// Starts `temporal server start-dev` (the pinned CLI) and waits until its frontend answers.
// The Web UI's codec endpoint goes through the CLI's environment file (`--env-file`, YAML; JSON is YAML).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_FLAGS } from '../common/searchAttributes.ts';

export interface DevServerOptions {
  cli: string;
  dbFile: string;
  port: number;
  uiPort?: number;
  logFile: string;
  codecEndpoint?: string;
}

export interface DevServer {
  process: ChildProcess;
  address: string;
  stop(): Promise<void>;
}

const ENV_NAME = 'zke';

/** The CLI's environment file (next to the database, 0600): flags whose values must stay out of `ps`. */
export function envFile(o: DevServerOptions): string {
  return path.join(path.dirname(o.dbFile), 'temporal-env.yaml');
}

/** The codec endpoint carries a token: the CLI reads it from its environment file, never from argv. */
function writeEnvFile(o: DevServerOptions): void {
  const flags = { 'ui-codec-endpoint': o.codecEndpoint };
  fs.writeFileSync(envFile(o), `${JSON.stringify({ env: { [ENV_NAME]: flags } }, null, 2)}\n`, {
    mode: 0o600,
  });
  fs.chmodSync(envFile(o), 0o600);
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--db-filename',
    o.dbFile,
  ];
  args.push('--namespace', 'default', '--log-level', 'warn', '--ui-disable-news-fetch');
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  if (o.codecEndpoint) args.push('--env-file', envFile(o), '--env', ENV_NAME);
  for (const sa of SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', sa);
  return args;
}

export async function startDevServer(o: DevServerOptions, readyTimeoutMs = 60_000): Promise<DevServer> {
  fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
  if (o.codecEndpoint) writeEnvFile(o);
  const log = fs.openSync(o.logFile, 'a');
  const proc = spawn(o.cli, devServerArgs(o), { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const address = `127.0.0.1:${o.port}`;
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`temporal dev server exited (${code}); see ${o.logFile}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForFrontend(address, readyTimeoutMs), exited]);
  return { process: proc, address, stop: () => stopProcess(proc) };
}

export async function waitForFrontend(address: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: '1s' });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal at ${address} not ready after ${timeoutMs} ms: ${err}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** SIGTERM, then SIGKILL after a grace period. */
export function stopProcess(proc: ChildProcess, graceMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}
