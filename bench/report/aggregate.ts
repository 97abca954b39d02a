// From raw results to the report's rows: medians per size (and per phase or step), ratios within a run.
import type { EngineResults } from '../engine/noop.ts';
import { TOOLS, type Tool } from '../fanout/runners.ts';
import { type FanOutResults, type FanOutSample, PHASES, type Phase } from '../fanout/scenario.ts';
import type { ProvisionRun } from '../scale/provision.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { median } from '../stats.ts';

export interface FanOutRow {
  size: number;
  phase: Phase;
  ms: Record<Tool, number>;
  /** Median over runs of the ratio measured within each run. */
  zkeVsAnsible: number;
  zkeVsSsh: number;
  zkeCriticalWorkMs: number;
  zkeEvents: number;
}

const ratio = (a: FanOutSample | undefined, b: FanOutSample | undefined) =>
  a && b ? a.ms / b.ms : Number.NaN;

export function fanOutRows(r: FanOutResults): FanOutRow[] {
  return r.sizes.flatMap((size) =>
    PHASES.map((phase) => {
      const of = (tool: Tool) =>
        r.samples.filter((s) => s.size === size && s.phase === phase && s.tool === tool);
      const runs = [...new Set(of('zke').map((s) => s.run))];
      const inRun = (tool: Tool, run: number) => of(tool).find((s) => s.run === run);
      return {
        size,
        phase,
        ms: Object.fromEntries(TOOLS.map((t) => [t, median(of(t).map((s) => s.ms))])) as Record<Tool, number>,
        zkeVsAnsible: median(runs.map((run) => ratio(inRun('zke', run), inRun('ansible', run)))),
        zkeVsSsh: median(runs.map((run) => ratio(inRun('zke', run), inRun('ssh', run)))),
        zkeCriticalWorkMs: median(of('zke').map((s) => s.criticalWorkMs ?? Number.NaN)),
        zkeEvents: median(of('zke').map((s) => s.events ?? Number.NaN)),
      };
    }),
  );
}

export interface ScaleRow {
  size: number;
  runs: number;
  outcomes: string[];
  wallMs: number;
  workMs: number;
  overheadMs: number;
  overheadPct: number;
  events: number;
  historyBytes: number;
  payloadBytes: number;
  retries: number;
  /** Median per step over the runs that reached it. */
  steps: { step: string; wallMs: number; workMs: number; overheadMs: number }[];
}

function stepMedians(runs: ProvisionRun[]): ScaleRow['steps'] {
  const names = [...new Set(runs.flatMap((r) => r.steps.map((s) => s.step)))];
  return names.map((step) => {
    const times = runs.flatMap((r) => r.steps.filter((s) => s.step === step));
    return {
      step,
      wallMs: median(times.map((t) => t.wallMs)),
      workMs: median(times.map((t) => t.workMs)),
      overheadMs: median(times.map((t) => t.overheadMs)),
    };
  });
}

const failed = (p: ProvisionRun) => p.outcome.startsWith('failed');

/** Medians per size over the provisions that finished (a failed one's times say when it gave up). */
export function scaleRows(r: ScaleResults): ScaleRow[] {
  const finished = r.provisions.filter((p) => !failed(p));
  const sizes = r.sizes.filter((size) => finished.some((p) => p.size === size));
  return sizes.map((size) => {
    const runs = finished.filter((p) => p.size === size);
    const m = (f: (p: ProvisionRun) => number) => median(runs.map(f));
    const wallMs = m((p) => p.wall.wallMs);
    const overheadMs = m((p) => p.wall.overheadMs);
    return {
      size,
      runs: runs.length,
      outcomes: [...new Set(runs.map((p) => p.outcome))],
      wallMs,
      workMs: m((p) => p.wall.workMs),
      overheadMs,
      overheadPct: m((p) => (100 * p.wall.overheadMs) / p.wall.wallMs),
      events: m((p) => p.history.events),
      historyBytes: m((p) => p.history.bytes),
      payloadBytes: m((p) => p.history.payloadBytes),
      retries: m((p) => p.retries),
      steps: stepMedians(runs),
    };
  });
}

/** The provisions that failed, each on its own. */
export function failedRuns(r: ScaleResults): ProvisionRun[] {
  return r.provisions.filter(failed);
}

export type { EngineResults };
