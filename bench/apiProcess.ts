// The zke API as a child process (for its footprint), with the admin token it prints on first start, and a
// poller that reads a cluster the way a UI would while a provision runs.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../scripts/devServer.ts';
import { sleep } from './stats.ts';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** Generous: during a 50-host run the machine's load passes 600 and a start takes minutes. */
const START_TIMEOUT_MS = 5 * 60_000;

export interface ApiProcess {
  pid: number;
  url: string;
  token: string;
  /** GET path every intervalMs until the returned stop() is called; resolves to [requests, non-2xx]. */
  poll(pathname: string, intervalMs: number): { stop(): Promise<[number, number]> };
  stop(): Promise<void>;
}

function waitReady(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  let token = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`API not listening after ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code) => reject(new Error(`API exited (${code}) before listening`)));
    lines.on('line', (line) => {
      token = line.match(/^export ZKE_TOKEN=(\S+)/)?.[1] ?? token;
      if (/listening on/.test(line)) {
        clearTimeout(timer);
        resolve(token);
      }
    });
  });
}

export async function startApi(temporalAddress: string, taskQueue: string): Promise<ApiProcess> {
  const port = 28080 + Math.floor(Math.random() * 1000);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'api/main.ts')], {
    cwd: repo,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      ZKE_TASK_QUEUE: taskQueue,
      ZKE_API_HOST: '127.0.0.1',
      ZKE_API_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const token = await waitReady(child).catch(async (err: Error) => {
    await stopProcess(child);
    throw new Error(`${err.message}: ${stderr.join('').trim().split('\n').slice(0, 3).join(' ')}`);
  });
  child.removeAllListeners('exit');
  const url = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    url,
    token,
    poll(pathname, intervalMs) {
      let running = true;
      let requests = 0;
      let failures = 0;
      const loop = (async () => {
        while (running) {
          const res = await fetch(`${url}${pathname}`, {
            headers: { authorization: `Bearer ${token}` },
          }).catch(() => undefined);
          await res?.arrayBuffer();
          requests++;
          if (!res?.ok) failures++;
          await sleep(intervalMs);
        }
      })();
      return {
        async stop() {
          running = false;
          await loop;
          return [requests, failures];
        },
      };
    },
    stop: () => stopProcess(child),
  };
}
