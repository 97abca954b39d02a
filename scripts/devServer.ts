// Starts `temporal server start-dev` (the pinned CLI) and waits until its frontend answers.
// The Web UI's codec endpoint goes through the CLI's environment file (`--env-file`, YAML; JSON is YAML).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
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

/** The server's state and log are readable by their owner only (0700 directory, 0600 files). */
/** Refuses a taken port: another server there would answer the readiness check in this one's place. */
async function assertPortFree(port: number): Promise<void> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => reject(new Error(`port 127.0.0.1:${port} is taken (${err.message})`)));
    probe.listen(port, '127.0.0.1', resolve);
  });
  await new Promise((resolve) => probe.close(resolve));
}

export async function startDevServer(o: DevServerOptions, readyTimeoutMs = 60_000): Promise<DevServer> {
  await assertPortFree(o.port);
  fs.mkdirSync(path.dirname(o.dbFile), { recursive: true, mode: 0o700 });
  if (fs.existsSync(o.dbFile)) fs.chmodSync(o.dbFile, 0o600);
  if (o.codecEndpoint) writeEnvFile(o);
  const log = openPrivateLog(o.logFile);
  const proc = withUmask(0o077, () =>
    o.tiedToParent
      ? spawn('sh', ['-c', TIED, o.cli, ...devServerArgs(o)], { stdio: ['pipe', log, log], detached: true })
      : spawn(o.cli, devServerArgs(o), { stdio: ['ignore', log, log] }),
  );
  fs.closeSync(log);
  const address = `127.0.0.1:${o.port}`;
  let gone = false;
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code, signal) => {
      gone = true;
      reject(new Error(`temporal dev server exited (${code ?? signal}); see ${o.logFile}`));
    }),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForFrontend(address, readyTimeoutMs, () => gone), exited]);
  } catch (err) {
    proc.kill('SIGKILL'); // never leave a server that did not come up holding the ports
    throw err;
  }
  return {
    process: proc,
    address,
    stop: () => stopProcess(proc, 10_000, o.tiedToParent ? () => proc.stdin?.end() : undefined),
  };
}

/** Opens a log file for appending, 0600 even if it existed with a wider mode. */
export function openPrivateLog(file: string): number {
  const fd = fs.openSync(file, 'a', 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
}

/** Runs fn (a spawn: the child inherits the umask at fork) with umask `mask`, so SQLite's files are 0600. */
function withUmask<T>(mask: number, fn: () => T): T {
  const previous = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
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
