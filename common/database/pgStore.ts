// The cluster store in PostgreSQL (ZKE_DATABASE_URL): one row per (cluster, key), its value sealed with the payload
// keyring exactly as the file store seals it, so the database alone reveals no key material. Every change takes a
// number from one sequence. Stamps are sums of committed rows' numbers (a write committed late, with an older
// number than one already seen, still changes the sum) and the newest removal. An update writes only over the row
// version it read (optimistic concurrency), so two workers recording the same cluster never lose a change.
import type { Sealed } from '../sealed.ts';
import { type ClusterStore, checkName, openRecord, sealRecord, UnreadableRecord } from '../store.ts';
import type { SyncPg } from './syncPg.ts';

const UPDATE_ATTEMPTS = 30;

export class PgClusterStore implements ClusterStore {
  constructor(private readonly db: SyncPg) {}

  get location(): string {
    return `the state database ${this.db.where()}`;
  }

  read<T>(cluster: string, key: string): T | undefined {
    const row = this.row(cluster, key);
    return row && this.open<T>(cluster, key, row.sealed);
  }

  stamp(cluster: string, parts: string[]): string {
    const [row] = this.db.query(
      `SELECT count(*)::text AS n, coalesce(sum(version), 0)::text AS v,
              (SELECT coalesce(max(removals), 0)::text FROM zke_removal WHERE cluster = $1) AS r
         FROM zke_record
        WHERE cluster = $1
          AND (key = ANY($2::text[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS p WHERE starts_with(key, p)))`,
      [checkName(cluster), parts.filter((p) => !p.endsWith('/')), parts.filter((p) => p.endsWith('/'))],
    );
    return `${row.n}|${row.v}|${row.r}`;
  }

  /** From committed rows only: a number taken by a write not yet committed must not stamp a listing without it. */
  changeStamp(): string {
    const [row] = this.db.query(
      `SELECT (SELECT coalesce(sum(version), 0) FROM zke_record)::text AS v,
              (SELECT coalesce(max(removals), 0) FROM zke_removal)::text AS r`,
    );
    return `${row.v}|${row.r}`;
  }

  write(cluster: string, key: string, value: unknown): void {
    this.db.query(
      `INSERT INTO zke_record (cluster, key, sealed, version) VALUES ($1, $2, $3, nextval('zke_change'))
       ON CONFLICT (cluster, key) DO UPDATE SET sealed = EXCLUDED.sealed, version = EXCLUDED.version`,
      [checkName(cluster), checkKey(key), sealRecord(value)],
    );
  }

  create(cluster: string, key: string, value: unknown): boolean {
    return this.writeOver(cluster, key, value, undefined);
  }

  update<T>(cluster: string, key: string, change: (value: T | undefined) => T): T {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const row = this.row(cluster, key);
      const next = change(row && this.open<T>(cluster, key, row.sealed));
      if (this.writeOver(cluster, key, next, row?.version)) return next;
      pause(Math.random() * 5 * (attempt + 1)); // another writer came first: let it finish
    }
    throw new Error(
      `cluster ${cluster}: record "${key}" kept changing under ${UPDATE_ATTEMPTS} attempts to update it`,
    );
  }

  probe(): string | undefined {
    try {
      this.db.query('SELECT 1 FROM zke_record LIMIT 1');
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  keys(cluster: string, prefix = ''): string[] {
    return this.db
      .query('SELECT key FROM zke_record WHERE cluster = $1 AND starts_with(key, $2) ORDER BY key', [
        checkName(cluster),
        prefix,
      ])
      .map((r) => r.key as string);
  }

  clusters(): string[] {
    return this.db
      .query('SELECT DISTINCT cluster FROM zke_record ORDER BY cluster')
      .map((r) => r.cluster as string);
  }

  delete(cluster: string, key: string): void {
    this.db.transaction([
      {
        text: 'DELETE FROM zke_record WHERE cluster = $1 AND key = $2',
        values: [checkName(cluster), checkKey(key)],
      },
      ...this.noteRemoval(cluster),
    ]);
  }

  remove(cluster: string): void {
    this.db.transaction([
      { text: 'DELETE FROM zke_record WHERE cluster = $1', values: [checkName(cluster)] },
      ...this.noteRemoval(cluster),
    ]);
  }

  /** Writes `value` only when the row is still at `version` (absent: still absent); false when it was not. */
  private writeOver(cluster: string, key: string, value: unknown, version: string | undefined): boolean {
    const args = [checkName(cluster), checkKey(key), sealRecord(value)];
    const rows =
      version === undefined
        ? this.db.query(
            `INSERT INTO zke_record (cluster, key, sealed, version) VALUES ($1, $2, $3, nextval('zke_change'))
             ON CONFLICT (cluster, key) DO NOTHING RETURNING 1`,
            args,
          )
        : this.db.query(
            `UPDATE zke_record SET sealed = $3, version = nextval('zke_change')
              WHERE cluster = $1 AND key = $2 AND version = $4 RETURNING 1`,
            [...args, version],
          );
    return rows.length === 1;
  }

  private row(cluster: string, key: string): { sealed: Sealed; version: string } | undefined {
    const [row] = this.db.query(
      'SELECT sealed, version::text AS version FROM zke_record WHERE cluster = $1 AND key = $2',
      [checkName(cluster), checkKey(key)],
    );
    return row as { sealed: Sealed; version: string } | undefined;
  }

  /** Every deletion takes a number too, kept per cluster: the stamps carry the newest. */
  private noteRemoval(cluster: string) {
    return [
      {
        text: `INSERT INTO zke_removal (cluster, removals) VALUES ($1, nextval('zke_change'))
               ON CONFLICT (cluster) DO UPDATE SET removals = EXCLUDED.removals`,
        values: [cluster],
      },
    ];
  }

  private open<T>(cluster: string, key: string, sealed: Sealed): T {
    try {
      return openRecord<T>(sealed);
    } catch (err) {
      throw new UnreadableRecord(cluster, key, `the database row (${cluster}, ${key})`, err as Error);
    }
  }
}

/** Blocks this thread `ms` milliseconds (the store's interface is synchronous). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function checkKey(key: string): string {
  return key.split('/').map(checkName).join('/');
}
