// Memory and CPU of a process from /proc: peak RSS (VmHWM, which can be reset through clear_refs), current
// RSS sampled over time, and CPU seconds.
import fs from 'node:fs';

const TICKS_PER_SECOND = 100;

function statusKiB(pid: number, field: string): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) : Number.NaN;
}

export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export interface Footprint {
  peakRssMiB: number;
  /** Highest sampled RSS (cross-check of VmHWM). */
  sampledPeakMiB: number;
  startRssMiB: number;
  cpuSeconds: number;
}

/** f(), or undefined once the process is gone (its /proc entry with it). */
function whileAlive<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** Watches a process from now on: resets its peak, samples RSS every 250 ms until stop() or its exit. */
export function watchProcess(pid: number): { stop(): Footprint } {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, '5'); // 5: reset the peak RSS to the current RSS
  const startRss = statusKiB(pid, 'VmRSS');
  const startCpu = cpuSeconds(pid);
  let sampled = startRss;
  let lastCpu = startCpu;
  const timer = setInterval(() => {
    const rss = whileAlive(() => statusKiB(pid, 'VmRSS'));
    if (rss === undefined) return clearInterval(timer); // exited: keep what was seen
    sampled = Math.max(sampled, rss);
    lastCpu = whileAlive(() => cpuSeconds(pid)) ?? lastCpu;
  }, 250);
  return {
    stop() {
      clearInterval(timer);
      return {
        peakRssMiB: (whileAlive(() => statusKiB(pid, 'VmHWM')) ?? sampled) / 1024,
        sampledPeakMiB: sampled / 1024,
        startRssMiB: startRss / 1024,
        cpuSeconds: (whileAlive(() => cpuSeconds(pid)) ?? lastCpu) - startCpu,
      };
    },
  };
}
