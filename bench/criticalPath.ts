// Where a workflow's wall time goes: the longest chain of activity executions that follow one another
// (the remote work on the critical path) versus everything else (scheduling, dispatch, workflow tasks,
// waiting for a free activity slot) — the orchestration overhead.
import type { ActivityRun } from './history.ts';

export interface TimeSplit {
  wallMs: number;
  /** Activity execution time on the critical path. */
  workMs: number;
  overheadMs: number;
}

/** Longest sum of durations over chains of runs where each starts after the previous one closed. */
export function criticalWorkMs(runs: readonly ActivityRun[]): number {
  const sorted = [...runs].sort((a, b) => a.startedAt - b.startedAt);
  const best: number[] = [];
  sorted.forEach((run, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if (sorted[j]!.closedAt <= run.startedAt) before = Math.max(before, best[j]!);
    best.push(before + (run.closedAt - run.startedAt));
  });
  return Math.max(0, ...best);
}

/** The split of [from, to]: runs that started inside the window count. */
export function splitWindow(runs: readonly ActivityRun[], from: number, to: number): TimeSplit {
  const inside = runs.filter((r) => r.startedAt >= from && r.startedAt < to);
  const wallMs = to - from;
  const workMs = Math.min(wallMs, criticalWorkMs(inside));
  return { wallMs, workMs, overheadMs: wallMs - workMs };
}
