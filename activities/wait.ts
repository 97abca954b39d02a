// Bounded polling: every wait in zke has a deadline and reports its last error when it gives up.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  onAttempt?: (attempt: number, lastError: string) => void;
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, o: WaitOptions): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last = 'no answer yet';
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    o.onAttempt?.(attempt, last);
    if (Date.now() + (o.intervalMs ?? 2_000) > deadline) {
      throw new Error(`${o.what}: not ready after ${Math.round(o.timeoutMs / 1000)} s (last: ${last})`);
    }
    await sleep(o.intervalMs ?? 2_000);
  }
}
