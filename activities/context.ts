// Activity helpers: a heartbeat that keeps ticking while a step waits, and the cancellation signal.
import { Context } from '@temporalio/activity';

function inActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/**
 * Runs fn while heartbeating every `everyMs` (with the latest progress note as details). A cancelled activity
 * (its workflow cancelled, the worker shutting down) returns at once: a wait inside fn that misses the signal
 * must not keep the attempt, and its worker, alive until the step's start-to-close timeout.
 */
export async function withHeartbeat<T>(
  fn: (note: (progress: string) => void) => Promise<T>,
  everyMs = 2_000,
): Promise<T> {
  const ctx = inActivity();
  let progress = 'started';
  const beat = () => ctx?.heartbeat(progress);
  beat();
  const timer = setInterval(beat, everyMs);
  try {
    const work = fn((p) => {
      progress = p;
      beat();
    });
    return await (ctx ? Promise.race([work, ctx.cancelled]) : work);
  } finally {
    clearInterval(timer);
  }
}

/** The details of the previous attempt's last heartbeat (a retry resumes from them), if a string. */
export function lastHeartbeat(): string | undefined {
  const details: unknown = inActivity()?.info.heartbeatDetails;
  return typeof details === 'string' ? details : undefined;
}

export function cancellation(): AbortSignal | undefined {
  return inActivity()?.cancellationSignal;
}

export function log(message: string, attrs: Record<string, unknown> = {}): void {
  const ctx = inActivity();
  if (ctx) ctx.log.info(message, attrs);
}
