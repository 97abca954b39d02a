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

let opened: SyncPg | undefined;

/** The database of ZKE_DATABASE_URL, its tables made and the keyring checked; undefined without one. */
export function database(): SyncPg | undefined {
  const url = process.env.ZKE_DATABASE_URL;
  if (!url) return undefined;
  if (opened?.url === url) return opened;
  const db = new SyncPg(url);
  createSchema(db);
  // with a shared database no process makes a keyring of its own: each is given the same one
  checkKeyring(db, existingKeyring(keyringPath()), keyringPath());
  opened = db;
  return db;
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
