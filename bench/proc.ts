// Running external tools (Ansible, the ssh loop, bench/pki.ts) with their wall time.
import { spawn } from 'node:child_process';

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runTool(command: string, args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: performance.now() - start,
      }),
    );
  });
}

/** runTool that rejects on a non-zero exit, quoting the end of the tool's output. */
export async function runToolOrThrow(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ToolRun> {
  const run = await runTool(command, args, env);
  if (run.code !== 0) {
    const tail = `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command} exited ${run.code}:\n${tail}`);
  }
  return run;
}
