// Deterministic bounded fan-out for workflow code: at most `limit` calls in flight, every result kept.
import { withoutKeyMaterial } from '../common/keyMaterial.ts';
export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

export async function mapBounded<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<O>,
): Promise<Settled<O>[]> {
  const results: Settled<O>[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i]) };
      } catch (error) {
        results[i] = { ok: false, error: error as Error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

/** The innermost message of a Temporal failure chain (ActivityFailure → ApplicationFailure), keyless. */
export function rootMessage(err: Error): string {
  let e: Error = err;
  while (e.cause instanceof Error) e = e.cause;
  return withoutKeyMaterial(e.message);
}
