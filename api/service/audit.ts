// Audit trail for access to key material: one JSON line per event in ZKE_HOME/audit.log (0600), or one row in
// PostgreSQL when ZKE_DATABASE_URL is set (common/database/pgDocuments.ts); echoed to the log.
import fs from 'node:fs';
import path from 'node:path';
import { homePath } from '../../common/config.ts';

export interface AuditEvent {
  action: string;
  cluster: string;
  token: string;
  /** The token's scope. */
  scope?: string;
  remote?: string;
  /** What became of the request, where it may be refused after it was read (`accepted …` or `refused (409)`). */
  outcome?: string;
}

export type AuditEntry = AuditEvent & { at: string };

/** Where the trail is kept: appended to, read in order. */
export interface AuditTrail {
  append(entry: AuditEntry): void;
  entries(): AuditEntry[];
}

export class AuditFile implements AuditTrail {
  constructor(readonly file = homePath('audit.log')) {}

  append(entry: AuditEntry): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(this.file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  entries(): AuditEntry[] {
    if (!fs.existsSync(this.file)) return [];
    return fs
      .readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

export class AuditLog {
  private readonly trail: AuditTrail;

  /** A file path (tests, tools) or a trail kept elsewhere (openAuditLog in common/stores.ts). */
  constructor(where: string | AuditTrail = homePath('audit.log')) {
    this.trail = typeof where === 'string' ? new AuditFile(where) : where;
  }

  record(event: AuditEvent): void {
    const entry = { at: new Date().toISOString(), ...event };
    this.trail.append(entry);
    console.log(`audit: ${JSON.stringify(entry)}`);
  }

  /** Every recorded event (for tests and `zke` tooling). */
  read(): AuditEntry[] {
    return this.trail.entries();
  }
}
