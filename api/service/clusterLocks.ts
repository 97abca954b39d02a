// One request at a time per cluster (in this API process) between "is it idle?" and "its operation started",
// so a refused request cannot store a revision meanwhile, and two requests cannot number one revision twice.
export class ClusterLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` once every earlier call for the same cluster has settled. */
  async run<T>(cluster: string, fn: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(cluster) ?? Promise.resolve()).then(fn);
    const tail = result.catch(() => undefined);
    this.tails.set(cluster, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(cluster) === tail) this.tails.delete(cluster);
    }
  }
}
