// The cluster store: one encrypted JSON document per (cluster, key). Private keys (PKI, kubeconfigs) live only
// here; workflows pass cluster names and revision numbers. Two kinds, one interface: files under ZKE_HOME/clusters
// (the embedded default, below) and PostgreSQL when ZKE_DATABASE_URL is set (database/pgStore.ts; openClusterStore
// in stores.ts chooses).
import fs from 'node:fs';
import path from 'node:path';
import { homePath } from './config.ts';
import { loadOrCreateKeyring } from './keyring.ts';
import { type Sealed, seal, unseal } from './sealed.ts';
import { stampOf } from './stamp.ts';
import { keyringPath } from './temporal.ts';

const SAFE = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
/** Touched on every change (see changeStamp); not a cluster name (SAFE starts with a letter or digit). */
const CHANGED = '.changed';

export interface ClusterStore {
  /** Where the records are, for messages: a directory, or the database's host and name. */
  readonly location: string;
  /** The record, or undefined when there is none; UnreadableRecord when it cannot be decrypted or parsed. */
  read<T>(cluster: string, key: string): T | undefined;
  /** A stamp of the cluster's given subdirectories (`revision/`) and records that changes when any of them does. */
  stamp(cluster: string, parts: string[]): string | null;
  /** A stamp of the whole store that every change through a ClusterStore (any process's) changes. */
  changeStamp(): string | null;
  /** Atomic: the old record stays whole when the write fails. */
  write(cluster: string, key: string, value: unknown): void;
  /** Writes the record only when there is none (false then): of two writers at once, exactly one creates it. */
  create(cluster: string, key: string, value: unknown): boolean;
  /**
   * Read, change, write without losing a concurrent writer's change: `change` sees the latest record and may run
   * again when another process wrote it meanwhile.
   */
  update<T>(cluster: string, key: string, change: (value: T | undefined) => T): T;
  /** Why the store cannot take a write now (full, read-only, unreachable), or undefined. */
  probe(): string | undefined;
  /** Keys under a prefix, e.g. keys('c1', 'revision/') → ['revision/1', 'revision/2']. */
  keys(cluster: string, prefix?: string): string[];
  clusters(): string[];
  /** Removes one document (nothing when it does not exist). */
  delete(cluster: string, key: string): void;
  remove(cluster: string): void;
}

/** Each key has a single writer (one activity), and writes are atomic renames: per-host activities never clash. */
export class FileClusterStore implements ClusterStore {
  /** Per cluster, how many times this process changed it (part of its stamps). */
  private readonly changes = new Map<string, number>();
  /** How many times this process changed the store. */
  private generation = 0;

  constructor(readonly root = homePath('clusters')) {}

  get location(): string {
    return this.root;
  }

  /** The record, or undefined when there is none; UnreadableRecord when it cannot be decrypted or parsed. */
  read<T>(cluster: string, key: string): T | undefined {
    const file = this.file(cluster, key);
    if (!fs.existsSync(file)) return undefined;
    try {
      const sealed = JSON.parse(fs.readFileSync(file, 'utf8')) as Sealed;
      return openRecord<T>(sealed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed meanwhile
      throw new UnreadableRecord(cluster, key, file, err as Error);
    }
  }

  /**
   * One stamp of the cluster's given subdirectories (`revision/`) and records (`current`): it changes whenever
   * any of them does, in this process or another (common/stamp.ts); null while one changed too recently to trust.
   */
  stamp(cluster: string, parts: string[]): string | null {
    const dir = path.join(this.root, checkName(cluster));
    const stamps = parts.map((p) => stampOf(p.endsWith('/') ? path.join(dir, p) : this.file(cluster, p)));
    return stamps.includes(null) ? null : `${this.changes.get(cluster) ?? 0}|${stamps.join('|')}`;
  }

  /**
   * A stamp of the whole store that every change through a ClusterStore (any process's) changes: each one touches
   * the file `.changed`. Changes made by other means (a file restored by hand) show only in stamp().
   */
  changeStamp(): string | null {
    const stamp = stampOf(path.join(this.root, CHANGED));
    return stamp === null ? null : `${this.generation}|${stamp}`;
  }

  /** Atomic: the old record stays whole when the write fails, and no temporary file is left behind. */
  write(cluster: string, key: string, value: unknown): void {
    this.put(cluster, key, value, (tmp, file) => fs.renameSync(tmp, file));
  }

  /** A hard link fails when the file exists: in any process, exactly one creator wins. */
  create(cluster: string, key: string, value: unknown): boolean {
    let created = true;
    this.put(cluster, key, value, (tmp, file) => {
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        created = false;
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    });
    return created;
  }

  /** Seals the value into a temporary file and lets `place` put it at the record's path. */
  private put(
    cluster: string,
    key: string,
    value: unknown,
    place: (tmp: string, file: string) => void,
  ): void {
    const file = this.file(cluster, key);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const sealed = sealRecord(value);
      fs.writeFileSync(tmp, JSON.stringify(sealed), { mode: 0o600 });
      place(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw storeFault(mkdirCause(err, path.dirname(file)));
    }
    this.changed(cluster);
  }

  /** Synchronous: nothing in this process comes between the read and the write (one worker per file store). */
  update<T>(cluster: string, key: string, change: (value: T | undefined) => T): T {
    const next = change(this.read<T>(cluster, key));
    this.write(cluster, key, next);
    return next;
  }

  /** Why the store cannot take a write now (full, read-only), or undefined: a small file written and removed. */
  probe(): string | undefined {
    const file = path.join(this.root, `.probe.${process.pid}.${Date.now()}.tmp`);
    try {
      fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, 'probe', { mode: 0o600 });
      return undefined;
    } catch (err) {
      return storeFault(mkdirCause(err, this.root)).message;
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** Keys under a prefix, e.g. keys('c1', 'revision/') → ['revision/1', 'revision/2']. */
  keys(cluster: string, prefix = ''): string[] {
    const dir = path.join(this.root, checkName(cluster));
    if (!fs.existsSync(dir)) return [];
    const out: string[] = [];
    const walk = (rel: string) => {
      for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(relPath);
        else if (entry.name.endsWith('.json')) out.push(relPath.slice(0, -5));
      }
    };
    walk('');
    return out.filter((k) => k.startsWith(prefix)).sort();
  }

  clusters(): string[] {
    if (!fs.existsSync(this.root)) return [];
    return fs
      .readdirSync(this.root)
      .filter((n) => SAFE.test(n))
      .sort();
  }

  /** Removes one document (nothing when it does not exist). */
  delete(cluster: string, key: string): void {
    fs.rmSync(this.file(cluster, key), { force: true });
    this.changed(cluster);
  }

  remove(cluster: string): void {
    fs.rmSync(path.join(this.root, checkName(cluster)), { recursive: true, force: true });
    this.changed(cluster);
  }

  private changed(cluster: string): void {
    this.changes.set(cluster, (this.changes.get(cluster) ?? 0) + 1);
    this.generation++;
    const marker = path.join(this.root, CHANGED);
    const now = new Date();
    try {
      fs.utimesSync(marker, now, now);
    } catch {
      try {
        fs.writeFileSync(marker, '', { mode: 0o600, flag: 'a' }); // the first change: no marker yet
      } catch {
        // no store directory to mark: readers still re-check every cluster within a second
      }
    }
  }

  private file(cluster: string, key: string): string {
    const parts = key.split('/').map(checkName);
    return `${path.join(this.root, checkName(cluster), ...parts)}.json`;
  }
}

/** A record's value sealed with the payload keyring, as both kinds of store keep it. */
export function sealRecord(value: unknown): Sealed {
  return seal(loadOrCreateKeyring(keyringPath()), JSON.stringify(value));
}

/** The value of a sealed record; throws when the keyring cannot open it or it is not JSON. */
export function openRecord<T>(sealed: Sealed): T {
  return JSON.parse(unseal(loadOrCreateKeyring(keyringPath()), sealed)) as T;
}

/** A record that exists but cannot be read: encrypted with a key the keyring lacks, or a damaged file. */
export class UnreadableRecord extends Error {
  constructor(
    readonly cluster: string,
    readonly key: string,
    readonly file: string,
    cause: Error,
  ) {
    super(
      `cluster ${cluster}: its record "${key}" cannot be read (${cause.message}): it was written with another ` +
        `payload keyring, or the file is damaged. Restore the keyring (ZKE_HOME/keys/payload-keyring.json, or ` +
        `ZKE_KEYRING) or ${file} from a backup; or drop zke's record of the cluster: zke remove --forget ${cluster}`,
      { cause },
    );
    this.name = 'UnreadableRecord';
  }
}

/** Recursive mkdir reports ENOENT when the disk refuses the directory: the nearest existing ancestor tells why. */
function mkdirCause(err: unknown, dir: string): unknown {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return err;
  let ancestor = dir;
  while (!fs.existsSync(ancestor) && ancestor !== path.dirname(ancestor)) ancestor = path.dirname(ancestor);
  try {
    fs.accessSync(ancestor, fs.constants.W_OK);
    return err;
  } catch (cause) {
    return cause;
  }
}

/** A write the disk refused: full (507 through the API) or not writable (503). */
export class StoreFault extends Error {
  constructor(
    readonly code: string,
    readonly full: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'StoreFault';
  }
}

const FULL = new Set(['ENOSPC', 'EDQUOT']);
const NOT_WRITABLE = new Set(['EROFS', 'EACCES', 'EPERM']);

/** A StoreFault naming `what` and the cause for a disk-full or read-only error; any other error as it is. */
export function storeFault(err: unknown, what = 'the cluster store'): Error {
  if (err instanceof StoreFault) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (FULL.has(code))
    return new StoreFault(code, true, `${what} is full (${code}, no space left): nothing was changed`);
  if (NOT_WRITABLE.has(code))
    return new StoreFault(code, false, `${what} is not writable (${code}, read-only): nothing was changed`);
  return err as Error;
}

export function checkName(part: string): string {
  if (!SAFE.test(part)) throw new Error(`invalid store name "${part}"`);
  return part;
}
