// Concurrent callers of the same read share one run of it.

/**
 * fn wrapped so that concurrent calls share one run. Each caller still gets a run that started after its own call
 * (calls arriving during a run wait for it and share the next), so a reader never sees a state older than its
 * request.
 */
export function coalesced<T>(fn: () => Promise<T>): () => Promise<T> {
  let previous: Promise<unknown> = Promise.resolve();
  let next: Promise<T> | undefined;
  const start = () => {
    next = undefined; // a caller from now on may have missed this run's reads
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
