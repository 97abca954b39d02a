// Moves a ZKE_HOME's state (cluster records, API tokens, audit trail) into the database: each cluster the database
// does not hold yet, record by record (opened with the keyring and sealed again with it), every token it lacks,
// and every audit event it lacks. Running it again moves nothing twice.
import { AuditLog } from '../../api/service/audit.ts';
import type { ClusterStore } from '../store.ts';
import { TokenFile } from '../tokens.ts';
import { PgAuditTrail, PgTokenList } from './pgDocuments.ts';
import type { SyncPg } from './syncPg.ts';

export interface Migration {
  clusters: { name: string; records: number }[];
  /** Clusters the database already held: left as they are there. */
  skipped: string[];
  tokens: number;
  auditEvents: number;
}

export function migrateHome(
  from: { store: ClusterStore; tokensFile: string; auditFile: string },
  to: { store: ClusterStore; db: SyncPg },
): Migration {
  const held = new Set(to.store.clusters());
  const result: Migration = { clusters: [], skipped: [], tokens: 0, auditEvents: 0 };
  for (const name of from.store.clusters()) {
    if (held.has(name)) {
      result.skipped.push(name);
      continue;
    }
    const keys = from.store.keys(name);
    for (const key of keys) to.store.write(name, key, from.store.read(name, key));
    result.clusters.push({ name, records: keys.length });
  }
  const tokens = new PgTokenList(to.db);
  const have = new Set(tokens.read().map((t) => t.name));
  const missing = new TokenFile(from.tokensFile).read().filter((t) => !have.has(t.name));
  if (missing.length) tokens.save([...tokens.read(), ...missing]);
  result.tokens = missing.length;
  const trail = new PgAuditTrail(to.db);
  result.auditEvents = new AuditLog(from.auditFile).read().filter((event) => trail.appendOnce(event)).length;
  return result;
}
