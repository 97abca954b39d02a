// One child of `npm start`: when it dies, it is restarted with backoff and the others keep running.
import type { ChildProcess } from 'node:child_process';
import { failureSummary } from '../common/failureConverter.ts';
import { stopProcess } from './devServer.ts';

/** A child that ran this long before dying was healthy: its next restart waits the shortest delay again. */
const STABLE_MS = 60_000;

/** The wait before restart number n (0-based): 1 s, 2 s, 4 s … at most 30 s. */
export function restartDelayMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** failures);
}

export class Supervised {
  private child?: ChildProcess;
  /** A start in progress (a restart can be one when npm start is stopped): stop() ends what it starts. */
  private launching?: Promise<ChildProcess>;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;

  constructor(
    readonly name: string,
    /** Starts the child; resolves once it runs (the Temporal server: once its frontend answers). */
    private readonly launch: () => Promise<ChildProcess>,
    private readonly logFile: string,
    private readonly say: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    this.launching = this.launch();
    const child = await this.launching.finally(() => {
      this.launching = undefined;
    });
    if (this.stopped) return stopProcess(child);
    this.child = child;
    const startedAt = Date.now();
    const died = () => this.died(`exited (${child.signalCode ?? `code ${child.exitCode}`})`, startedAt);
    if (child.exitCode !== null || child.signalCode !== null) died();
    else child.once('exit', died);
  }

  /** No more restarts: on Ctrl-C every child gets SIGINT too, and may exit before its turn to be stopped. */
  keepDown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async stop(): Promise<void> {
    this.keepDown();
    const launching = this.launching;
    if (this.child) await stopProcess(this.child);
    const late = await launching?.catch(() => undefined);
    if (late) await stopProcess(late);
  }

  private died(why: string, startedAt: number): void {
    if (this.stopped) return;
    if (Date.now() - startedAt >= STABLE_MS) this.failures = 0;
    const delay = restartDelayMs(this.failures++);
    this.say(`${this.name} ${why}; restarting in ${delay / 1000} s (log: ${this.logFile})`);
    this.timer = setTimeout(() => this.restart(), delay);
  }

  private restart(): void {
    const startedAt = Date.now();
    this.start().then(
      () => this.stopped || this.say(`${this.name} restarted (pid ${this.child?.pid})`),
      (err: Error) => this.died(`did not start: ${failureSummary(err.message)}`, startedAt),
    );
  }
}
