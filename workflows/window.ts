// Rolling windows for workflow code (deterministic, no I/O): a scheduler that keeps at most `limit` hosts in
// flight, where a failed host keeps its slot for good (the bound itself: model/plan/bounds.ts).

export interface WindowFailure {
  host: string;
  error: Error;
}

export interface WindowOutcome {
  done: string[];
  failed: WindowFailure[];
  /** Hosts never started because the failures used up every slot. */
  notStarted: string[];
}

/**
 * Runs fn for hosts in order with at most `limit` hosts unavailable: a running host holds a slot, and a host
 * that failed keeps holding it (it stays unavailable). Once `limit` hosts have failed nothing new starts.
 */
export async function rollingWindow(
  hosts: readonly string[],
  limit: number,
  fn: (host: string) => Promise<unknown>,
): Promise<WindowOutcome> {
  const outcome: WindowOutcome = { done: [], failed: [], notStarted: [] };
  let next = 0;
  const lane = async () => {
    while (next < hosts.length) {
      const host = hosts[next++];
      try {
        await fn(host);
        outcome.done.push(host);
      } catch (error) {
        outcome.failed.push({ host, error: error as Error });
        return; // this slot stays taken by the failed host
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, hosts.length)) }, lane));
  outcome.notStarted = hosts.slice(next);
  return outcome;
}
