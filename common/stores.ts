// Where zke keeps its state: files under ZKE_HOME (the embedded default), or PostgreSQL when ZKE_DATABASE_URL is set,
// so that workers and API replicas on different machines share nothing by disk. One connection pool per process.
import { AuditLog } from '../api/service/audit.ts';
import { PgAuditTrail, PgTokenList } from './database/pgDocuments.ts';
import { PgClusterStore } from './database/pgStore.ts';
import { checkKeyring, createSchema } from './database/schema.ts';
import { SyncPg } from './database/syncPg.ts';
import { existingKeyring } from './keyring.ts';
import { type ClusterStore, FileClusterStore } from './store.ts';
import { keyringPath } from './temporal.ts';
import { TokenStore } from './tokens.ts';

let opened: { db: SyncPg; ready: boolean } | undefined;

/**
 * The database of ZKE_DATABASE_URL, its tables made and the keyring checked; undefined without one. One pool per
 * process; when the database cannot be reached yet, the next call tries the set-up again.
 */
export function database(): SyncPg | undefined {
  const url = process.env.ZKE_DATABASE_URL;
  if (!url) return undefined;
  if (opened?.db.url !== url) {
    void opened?.db.close();
    opened = { db: new SyncPg(url), ready: false };
  }
  if (!opened.ready) {
    createSchema(opened.db);
    // with a shared database no process makes a keyring of its own: each is given the same one
    checkKeyring(opened.db, existingKeyring(keyringPath()), keyringPath());
    opened.ready = true;
  }
  return opened.db;
}

export function openClusterStore(): ClusterStore {
  const db = database();
  return db ? new PgClusterStore(db) : new FileClusterStore();
}

export function openTokenStore(): TokenStore {
  const db = database();
  return db ? new TokenStore(new PgTokenList(db)) : new TokenStore();
}

export function openAuditLog(): AuditLog {
  const db = database();
  return db ? new AuditLog(new PgAuditTrail(db)) : new AuditLog();
}
