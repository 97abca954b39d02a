// Change stamps: one stat tells whether a file or directory changed since a copy of what it holds was cached,
// whoever changed it (this process or another: the worker, the CLI, a second API). Writes here are atomic
// renames, so a new version of a file is a new inode with new times; a directory's times change with its entries.
import fs from 'node:fs';

/**
 * File times come from a coarse clock (a tick on Linux, a second or two on some filesystems): two changes within
 * one tick can leave the same times. Whatever changed this recently is read again on every use.
 */
export const RACY_MS = 2000;

/** `absent`, or the path's identity, size and times; null while it changed too recently to be trusted. */
export function stampOf(file: string): string | null {
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  if (!st) return 'absent';
  const changedMs = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1_000_000n);
  if (Date.now() - changedMs < RACY_MS) return null;
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** Values cached per key, each valid while its stamp is unchanged (a null stamp is never cached). */
export class StampCache<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();

  /** The cached value while `stamp` matches, else load()'s (the stamp must be taken before loading). */
  get(key: string, stamp: string | null, load: () => T): T {
    const entry = this.entries.get(key);
    if (stamp !== null && entry?.stamp === stamp) return entry.value;
    const value = load();
    if (stamp === null) this.entries.delete(key);
    else this.entries.set(key, { stamp, value });
    return value;
  }

  /** Forgets every key not in `keep` (e.g. clusters that are gone). */
  retain(keep: ReadonlySet<string>): void {
    for (const key of this.entries.keys()) if (!keep.has(key)) this.entries.delete(key);
  }
}
