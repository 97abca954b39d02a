// Markdown formatting helpers for the benchmark report.
import type { MachineFacts } from '../machine.ts';

export const seconds = (ms: number) =>
  Number.isFinite(ms) ? `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s` : '–';
export const millis = (ms: number) => (Number.isFinite(ms) ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : '–');
export const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
export const pct = (p: number) => (Number.isFinite(p) ? `${p.toFixed(0)} %` : '–');
export const kib = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(0)} KiB` : '–');
export const mib = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} MiB` : '–');

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function machineLine(m: MachineFacts | undefined): string {
  if (!m) return '';
  const load =
    m.load.end === undefined ? `${m.load.start}` : `${m.load.start.toFixed(1)} → ${m.load.end.toFixed(1)}`;
  return `_Measured ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}; 1-min load average ${load}._`;
}

/** "1 run", "3 runs". */
export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const count = (list: readonly number[], value: number) => list.filter((x) => x === value).length;

/** How many runs a size's numbers come from, as a clause: "medians of 3 runs (a single run at 25 hosts)", or
 *  "from a single run" when every size ran once (a single sample is no median). */
export function runsClause(sizes: readonly number[], runs: readonly number[]): string {
  if (runs.every((r) => r === 1))
    return `from a single run${sizes.length > 1 ? ' per size' : ''} (no medians)`;
  const usual = runs.reduce((a, b) => (count(runs, b) > count(runs, a) ? b : a));
  const others = sizes.flatMap((size, i) =>
    runs[i] === usual ? [] : [`${runs[i] === 1 ? 'a single run' : plural(runs[i]!, 'run')} at ${size} hosts`],
  );
  return `medians of ${plural(usual, 'run')}${others.length ? ` (${others.join(', ')})` : ''}`;
}

/** A section whose scenario has no saved results yet. */
export function notRun(title: string, scenario: string): string {
  return `${title}\n\nNot run yet (\`npm run bench -- --only ${scenario}\`).\n`;
}
