// Audit trail for access to key material: one JSON line per event in ZKE_HOME/audit.log (0600), echoed to the log.
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

export class AuditLog {
  constructor(readonly file = homePath('audit.log')) {}

  record(event: AuditEvent): void {
    const line = JSON.stringify({ at: new Date().toISOString(), ...event });
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    fs.appendFileSync(this.file, `${line}\n`, { mode: 0o600 });
    console.log(`audit: ${line}`);
  }

  /** Every recorded event (for tests and `zke` tooling). */
  read(): (AuditEvent & { at: string })[] {
    if (!fs.existsSync(this.file)) return [];
    return fs
      .readFileSync(this.file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}
