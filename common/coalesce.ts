// Concurrent callers of the same read share one run of it, yet each gets a run that started after its own call:
// a reader never sees a state older than its request (a write it made just before is in the answer).

/** fn wrapped: calls arriving while a run is under way wait for it to end and then share the next run. */
export function coalesced<T>(fn: () => Promise<T>): () => Promise<T> {
  let previous: Promise<unknown> = Promise.resolve();
  let next: Promise<T> | undefined;
  const start = () => {
    next = undefined; // from here on, a new caller may have missed this run's reads: it queues the next one
    return fn();
  };
  return () => {
    if (!next) {
      next = previous.then(start, start);
      previous = next.catch(() => undefined);
    }
    return next;
  };
}
