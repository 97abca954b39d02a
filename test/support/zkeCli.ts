// Runs the zke CLI (bin/zke.mjs) as a user would, with extra environment and a working directory.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const ZKE = path.join(import.meta.dirname, '../../bin/zke.mjs');

export async function runZke(args: string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  const child = spawn(process.execPath, [ZKE, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
