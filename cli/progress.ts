// Following an operation: live per-step and per-host progress bars on a terminal, plain lines otherwise.
// Ctrl-C detaches (the operation keeps running) unless --cancel asked to cancel it instead.
import type { OperationStatus } from '../workflows/types.ts';
import { type ApiClient, ApiError, type Problem } from './api-client.ts';

/** The API's Operation, as the CLI reads it. */
export interface OperationView {
  id: string;
  cluster: string;
  operation: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'terminated' | 'timed_out';
  progress?: OperationStatus;
  result?: { summary: string; skippedHosts: string[] };
  error?: string;
}

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

const BAR = 24;
const STATE_MARK: Record<string, string> = {
  pending: '·',
  running: '>',
  done: '✓',
  skipped: '-',
  failed: '✗',
};

export function bar(done: number, total: number, width = BAR): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** Events in `next` that were not in `prev` (both are the newest-last window of the same stream). */
export function newEvents(prev: readonly string[], next: readonly string[]): string[] {
  for (let overlap = Math.min(prev.length, next.length); overlap > 0; overlap--) {
    const tail = prev.slice(prev.length - overlap);
    if (tail.every((line, i) => line === next[i])) return next.slice(overlap);
  }
  return [...next];
}

/** How far a host is: the index of its current step among the steps done so far. */
function hostSteps(status: OperationStatus, host: { state: string; step: string }): number {
  const index = status.stepsDone.indexOf(host.step);
  const position = index >= 0 ? index : status.stepsDone.length;
  return host.state === 'done' || host.state === 'skipped' ? position + 1 : position;
}

export class ProgressView {
  private events: string[] = [];
  private hosts: Record<string, string> = {};
  private drawn = 0;

  constructor(private readonly out: Output) {}

  update(status: OperationStatus): void {
    const lines = newEvents(this.events, status.events);
    this.events = [...status.events];
    if (this.out.isTTY) this.redraw(status, lines);
    else this.plain(status, lines);
  }

  /** Leaves the last frame on screen. */
  done(): void {
    this.drawn = 0;
  }

  /** Each line with the steps done when it was logged (a poll may bring the events of several steps at once). */
  private plain(status: OperationStatus, lines: string[]): void {
    const step = `[${status.stepsDone.length}/${status.stepsTotal}]`;
    const ends = new Set(status.stepsDone.map((name) => `${name}: done`));
    let done = status.stepsDone.length - lines.filter((line) => ends.has(line)).length;
    for (const line of lines) {
      if (ends.has(line)) done++;
      this.out.write(`[${Math.max(done, 0)}/${status.stepsTotal}] ${line}\n`);
    }
    for (const [name, host] of Object.entries(status.hosts)) {
      const text = `${host.state} (${host.step})${host.error ? `: ${host.error}` : ''}`;
      if (this.hosts[name] !== text) this.out.write(`${step} host ${name}: ${text}\n`);
      this.hosts[name] = text;
    }
  }

  private redraw(status: OperationStatus, lines: string[]): void {
    const width = Math.max(40, this.out.columns || 100);
    const clip = (s: string) => (s.length > width - 1 ? `${s.slice(0, width - 2)}…` : s);
    let text = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    for (const line of lines) text += `${clip(`  ${line}`)}\n`;
    const frame = [
      `${status.operation} ${status.cluster} ${bar(status.stepsDone.length, status.stepsTotal)} ${status.stepsDone.length}/${status.stepsTotal} ${status.step}`,
      ...Object.entries(status.hosts).map(
        ([name, host]) =>
          `  ${STATE_MARK[host.state] ?? '?'} ${name.padEnd(20)} ${bar(hostSteps(status, host), status.stepsTotal, 12)} ${host.state.padEnd(8)} ${host.step}${host.error ? `: ${host.error}` : ''}`,
      ),
    ].map(clip);
    this.out.write(`${text}${frame.join('\n')}\n`);
    this.drawn = frame.length;
  }
}

export interface FollowOptions {
  /** Print progress (false with --json). */
  show: boolean;
  /** Ctrl-C cancels the operation instead of detaching. */
  cancelOnInterrupt: boolean;
  out: Output;
  err: Output;
  /** Registers the Ctrl-C handler; returns its remover (tests pass their own). */
  onInterrupt?: (handler: () => void) => () => void;
}

export type FollowOutcome = { kind: 'finished'; operation: OperationView } | { kind: 'detached' };

const sigint = (handler: () => void) => {
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
};

/** Follows the operation's event stream to its end; reconnects if the stream drops before the result. */
export async function follow(
  api: ApiClient,
  operationId: string,
  options: FollowOptions,
): Promise<FollowOutcome> {
  const view = new ProgressView(options.out);
  const abort = new AbortController();
  let detached = false;
  const path = `/v1/operations/${encodeURIComponent(operationId)}`;
  const interrupted = () => {
    if (options.cancelOnInterrupt && !detached) {
      options.err.write(`\ncancelling ${operationId} (Ctrl-C again to detach)…\n`);
      detached = true; // a second Ctrl-C detaches
      api
        .json('POST', `${path}/cancel`)
        .catch((e: Error) => options.err.write(`cancel failed: ${e.message}\n`));
      return;
    }
    detached = true;
    abort.abort();
  };
  const remove = (options.onInterrupt ?? sigint)(interrupted);
  try {
    for (let attempt = 0; attempt < 5 && !abort.signal.aborted; attempt++) {
      for await (const event of api.events(`${path}/events`, abort.signal)) {
        if (event.event === 'progress' && options.show) view.update(event.data as OperationStatus);
        if (event.event === 'result') return { kind: 'finished', operation: event.data as OperationView };
        if (event.event === 'error') throw new ApiError(503, event.data as Problem); // the API gave up following
      }
    }
    if (abort.signal.aborted) return { kind: 'detached' };
    return { kind: 'finished', operation: await api.json<OperationView>('GET', path) };
  } finally {
    remove();
    view.done();
  }
}

/** The line printed when the user detaches. */
export function detachedMessage(operationId: string, cluster: string): string {
  return `detached; the operation keeps running: zke status ${cluster} (or zke operations follow ${operationId}; cancel with zke operations cancel ${operationId})`;
}
