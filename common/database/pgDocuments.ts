// API tokens and the audit trail in PostgreSQL (ZKE_DATABASE_URL): one row per token (its SHA-256, never the token)
// and one per audit event. Tokens are saved as a difference (added rows inserted, revoked ones deleted), so two API
// replicas creating or revoking different tokens at once both keep their change.
import type { AuditEntry, AuditTrail } from '../../api/service/audit.ts';
import type { TokenEntry, TokenList } from '../tokens.ts';
import type { SyncPg } from './syncPg.ts';

export class PgTokenList implements TokenList {
  constructor(private readonly db: SyncPg) {}

  exists(): boolean {
    return this.db.query(`SELECT 1 FROM zke_meta WHERE name = 'tokens-created'`).length > 0;
  }

  stamp(): string {
    const [row] = this.db.query(
      `SELECT count(*)::text AS n, coalesce(sum(version), 0)::text AS v FROM zke_token`,
    );
    return `${row.n}|${row.v}`;
  }

  read(): TokenEntry[] {
    return this.db
      .query('SELECT name, sha256, scope, created_at FROM zke_token ORDER BY version')
      .map((r) => ({
        name: r.name as string,
        sha256: r.sha256 as string,
        createdAt: r.created_at as string,
        ...(r.scope ? { scope: r.scope as TokenEntry['scope'] } : {}),
      }));
  }

  save(tokens: TokenEntry[]): void {
    const stored = new Set(this.read().map((t) => t.name));
    const kept = new Set(tokens.map((t) => t.name));
    const revoked = [...stored].filter((name) => !kept.has(name));
    this.db.transaction([
      { text: 'DELETE FROM zke_token WHERE name = ANY($1::text[])', values: [revoked] },
      ...tokens
        .filter((t) => !stored.has(t.name))
        .map((t) => ({
          text: `INSERT INTO zke_token (name, sha256, scope, created_at, version)
                 VALUES ($1, $2, $3, $4, nextval('zke_change'))`,
          values: [t.name, t.sha256, t.scope ?? null, t.createdAt],
        })),
      { text: `INSERT INTO zke_meta (name, value) VALUES ('tokens-created', 'yes') ON CONFLICT DO NOTHING` },
    ]);
  }
}

export class PgAuditTrail implements AuditTrail {
  constructor(private readonly db: SyncPg) {}

  append(entry: AuditEntry): void {
    this.db.query('INSERT INTO zke_audit (at, event) VALUES ($1, $2)', [entry.at, entry]);
  }

  /** Appends the entry unless the same one is there (a migration run again); whether it did. */
  appendOnce(entry: AuditEntry): boolean {
    const rows = this.db.query(
      `INSERT INTO zke_audit (at, event) SELECT $1, $2::jsonb
        WHERE NOT EXISTS (SELECT 1 FROM zke_audit WHERE event = $2::jsonb) RETURNING 1`,
      [entry.at, entry],
    );
    return rows.length === 1;
  }

  entries(): AuditEntry[] {
    return this.db.query('SELECT event FROM zke_audit ORDER BY id').map((r) => r.event as AuditEntry);
  }
}
