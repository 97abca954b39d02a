// zke's tables in PostgreSQL, created on first use (under an advisory lock: API replicas and workers start
// together), and the check that every process seals with the same keyring.
import { createHash } from 'node:crypto';
import type { Keyring } from '../keyring.ts';
import type { SyncPg } from './syncPg.ts';

const SCHEMA_LOCK = 7_301_990; // any constant: zke's schema migrations take turns

const TABLES = `
CREATE SEQUENCE IF NOT EXISTS zke_change;
CREATE TABLE IF NOT EXISTS zke_record (
  cluster text NOT NULL, key text NOT NULL, sealed jsonb NOT NULL, version bigint NOT NULL,
  PRIMARY KEY (cluster, key));
CREATE TABLE IF NOT EXISTS zke_removal (cluster text PRIMARY KEY, removals bigint NOT NULL);
CREATE TABLE IF NOT EXISTS zke_token (
  name text PRIMARY KEY, sha256 text NOT NULL, scope text, created_at text NOT NULL, version bigint NOT NULL);
CREATE TABLE IF NOT EXISTS zke_audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL, event jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS zke_meta (name text PRIMARY KEY, value text NOT NULL);`;

export function createSchema(db: SyncPg): void {
  db.transaction([{ text: `SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})` }, ...split(TABLES)]);
}

function split(sql: string) {
  return sql
    .split(';')
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => ({ text }));
}

/** Key id → a fingerprint of the key (not the key): enough to tell two keyrings apart. */
function fingerprints(ring: Keyring): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ring.keys).map(([id, key]) => [
      id,
      createHash('sha256').update(key).digest('hex').slice(0, 16),
    ]),
  );
}

/**
 * Refuses a keyring that differs from the one the database's records were sealed with (a process given another
 * ZKE_KEYRING would write records no other process can read); records this keyring's new keys (a rotation).
 */
export function checkKeyring(db: SyncPg, ring: Keyring, file: string): void {
  const ours = fingerprints(ring);
  const [row] = db.query(`SELECT value FROM zke_meta WHERE name = 'keyring'`);
  const known: Record<string, string> = row ? JSON.parse(row.value as string) : {};
  const differing = Object.keys(known).filter((id) => ours[id] !== undefined && ours[id] !== known[id]);
  if (differing.length > 0)
    throw new Error(
      `the payload keyring ${file} is not the one this database's records were sealed with (key ` +
        `${differing.join(', ')} differs): give every zke process the same keyring file (ZKE_KEYRING)`,
    );
  const merged = JSON.stringify({ ...known, ...ours });
  if (merged !== JSON.stringify(known))
    db.query(
      `INSERT INTO zke_meta (name, value) VALUES ('keyring', $1) ON CONFLICT (name) DO UPDATE SET value = $1`,
      [merged],
    );
}
