// Facts about the machine a benchmark ran on, recorded next to its numbers.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  openssh: string;
  /** 1-minute load average when the scenario started and ended (other engineers share the machine). */
  load: { start: number; end?: number };
  date: string;
}

/** First line a command prints (on stdout or stderr: `ssh -V` uses stderr). */
export function firstLine(command: string, args: string[]): string {
  const out = spawnSync(command, args, { encoding: 'utf8' });
  return `${out.stdout ?? ''}${out.stderr ?? ''}`.split('\n')[0]!.trim() || 'unknown';
}

export function machineFacts(): MachineFacts {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    openssh: firstLine('ssh', ['-V']),
    load: { start: os.loadavg()[0]! },
    date: new Date().toISOString(),
  };
}

export function endLoad(facts: MachineFacts): MachineFacts {
  return { ...facts, load: { ...facts.load, end: os.loadavg()[0]! } };
}
