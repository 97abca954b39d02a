// A zke worker in its own process (worker/main.ts), so tests can SIGKILL it mid-step like a crashed machine.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface WorkerProcess {
  process: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnWorker(
  address: string,
  taskQueue: string,
  logFile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('worker/main.ts')], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, ZKE_TASK_QUEUE: taskQueue, ...env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  await waitForLine(logFile, 'zke worker polling', child, 60_000);
  return {
    process: child,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

async function waitForLine(
  file: string,
  text: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (fs.readFileSync(file, 'utf8').includes(text)) return;
    if (child.exitCode !== null)
      throw new Error(`worker exited early: ${fs.readFileSync(file, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`worker did not start within ${timeoutMs} ms`);
}

/** Bytes the process wrote so far, its sockets included (/proc/PID/io's wchar). */
function bytesWritten(pid: number): number {
  const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  return Number(/wchar: (\d+)/.exec(io)?.[1] ?? 0);
}

/**
 * SIGKILLs `child` once it has written `bytes` more than when this was called (an upload under way: the
 * bytes leave through its sockets); false when it exited or `timeoutMs` passed first.
 */
export async function killAfterWriting(
  child: ChildProcess,
  bytes: number,
  timeoutMs = 120_000,
): Promise<boolean> {
  const start = bytesWritten(child.pid!);
  const deadline = Date.now() + timeoutMs;
  while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) {
    if (bytesWritten(child.pid!) - start > bytes) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      return true;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
