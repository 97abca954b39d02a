// What a listing shows of each cluster's records (its current state, its latest revision), decrypted once and
// kept until a stat says the cluster changed: no record is read or decrypted per request. Writes by this process
// or any other (the worker, the CLI) change the stamps (common/stamp.ts).
import { StampCache } from '../../common/stamp.ts';
import { type ClusterStore, UnreadableRecord } from '../../common/store.ts';
import type { CurrentState, Revisions } from './revisions.ts';

export type IndexEntry =
  | { readable: true; current?: CurrentState; latestRevision?: number }
  | { readable: false; error: UnreadableRecord };

/** The paths a listing's view of a cluster depends on. */
const STAMPED = ['revision/', 'current'];

/** How long a listing trusts the store's change stamp alone, before it stats every cluster again. */
export const FULL_CHECK_MS = 1000;

export class ClusterIndex {
  private readonly cache = new StampCache<IndexEntry | undefined>();
  /** The last listing, with the store's change stamp taken before it. */
  private listed?: { stamp: string; at: number; entries: ReadonlyMap<string, IndexEntry> };

  constructor(
    private readonly store: ClusterStore,
    private readonly revisions: Revisions,
  ) {}

  /**
   * Every cluster with a record, by name. While no ClusterStore changed the store (its change stamp), the last
   * listing is reused: one stat. At least once a second, and after any change, every cluster is checked.
   */
  all(): ReadonlyMap<string, IndexEntry> {
    const stamp = this.store.changeStamp();
    const last = this.listed;
    if (stamp !== null && last?.stamp === stamp && Date.now() - last.at < FULL_CHECK_MS) return last.entries;
    const at = Date.now();
    const entries = this.check();
    this.listed = stamp === null ? undefined : { stamp, at, entries };
    return entries;
  }

  private check(): Map<string, IndexEntry> {
    const names = this.store.clusters();
    this.cache.retain(new Set(names));
    const out = new Map<string, IndexEntry>();
    for (const name of names) {
      const entry = this.get(name);
      if (entry) out.set(name, entry);
    }
    return out;
  }

  /** The cluster's entry; undefined when it has neither a current state nor a revision. */
  get(name: string): IndexEntry | undefined {
    return this.cache.get(name, this.store.stamp(name, STAMPED), () => this.load(name));
  }

  private load(name: string): IndexEntry | undefined {
    const latestRevision = this.revisions.latest(name);
    try {
      const current = this.revisions.current(name);
      if (!current && latestRevision === undefined) return undefined;
      return { readable: true, current, latestRevision };
    } catch (error) {
      if (error instanceof UnreadableRecord) return { readable: false, error };
      throw error;
    }
  }
}
