// Starts `temporal server start-dev` (the pinned CLI) and waits until its frontend answers.
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
  /** Stop the server when this process dies, even by SIGKILL: a shell keeps it on a pipe from us. */
  tiedToParent?: boolean;
}

export interface DevServer {
  process: ChildProcess;
  address: string;
  stop(): Promise<void>;
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
  if (o.codecEndpoint) args.push('--ui-codec-endpoint', o.codecEndpoint);
  for (const sa of SEARCH_ATTRIBUTE_FLAGS) args.push('--search-attribute', sa);
  return args;
}

export async function startDevServer(o: DevServerOptions, readyTimeoutMs = 60_000): Promise<DevServer> {
  fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const log = fs.openSync(o.logFile, 'a');
  const proc = o.tiedToParent
    ? spawn('sh', ['-c', TIED, o.cli, ...devServerArgs(o)], { stdio: ['pipe', log, log], detached: true })
    : spawn(o.cli, devServerArgs(o), { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const address = `127.0.0.1:${o.port}`;
  let gone = false;
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => {
      gone = true;
      reject(new Error(`temporal dev server exited (${code}); see ${o.logFile}`));
    }),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForFrontend(address, readyTimeoutMs, () => gone), exited]);
  return {
    process: proc,
    address,
    stop: () => stopProcess(proc, 10_000, o.tiedToParent ? () => proc.stdin?.end() : undefined),
  };
}

/**
 * Runs "$0" "$@" in the background and kills it (SIGTERM) once our end of its stdin pipe closes, which the
 * kernel does when this process exits however it exits; the shell itself ends when the server does.
 */
const TIED =
  'exec 3<&0 0</dev/null; "$0" "$@" 3<&- & pid=$!; (read -r _ <&3; kill "$pid" 2>/dev/null) & exec 3<&-; wait "$pid"';

/** Polls until Temporal answers at `address`; gives up after `timeoutMs`, or at once when `givenUp()`. */
export async function waitForFrontend(
  address: string,
  timeoutMs: number,
  givenUp: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: '1s' });
      await conn.workflowService.getSystemInfo({});
      await conn.close();
      return;
    } catch (err) {
      if (Date.now() > deadline || givenUp())
        throw new Error(`Temporal at ${address} not ready after ${timeoutMs} ms: ${err}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** SIGTERM (or `ask`, another way to ask it to stop), then SIGKILL after a grace period. */
export function stopProcess(
  proc: ChildProcess,
  graceMs = 10_000,
  ask: () => void = () => proc.kill('SIGTERM'),
): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    ask();
  });
}
