// API bearer tokens: stored as SHA-256 hashes in ZKE_HOME/tokens.json (0600), or in PostgreSQL when
// ZKE_DATABASE_URL is set (database/pgDocuments.ts); the plain token is shown once. Every check stamps the stored
// list and reads it again when it changed (common/stamp.ts), so `zke token revoke` takes effect without
// restarting the API.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { homePath } from './config.ts';
import { isScope, LEGACY_SCOPE, SCOPES, type Scope } from './scopes.ts';
import { StampCache, stampOf } from './stamp.ts';

export interface TokenEntry {
  name: string;
  sha256: string;
  createdAt: string;
  /** Absent in files written before scopes existed: LEGACY_SCOPE. */
  scope?: Scope;
}

export interface TokenInfo {
  name: string;
  scope: Scope;
  createdAt: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function tokensFile(): string {
  return homePath('tokens.json');
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Where the token list is kept: a file, or a database row. */
export interface TokenList {
  /** Whether a list was ever saved (the API's first start makes the "admin" token when not). */
  exists(): boolean;
  /** Changes whenever the list does; null while too recent to trust. */
  stamp(): string | null;
  read(): TokenEntry[];
  save(tokens: TokenEntry[]): void;
}

/** The list as a JSON file, replaced atomically. */
export class TokenFile implements TokenList {
  constructor(readonly file = tokensFile()) {}

  exists(): boolean {
    return fs.existsSync(this.file);
  }

  stamp(): string | null {
    return stampOf(this.file);
  }

  read(): TokenEntry[] {
    if (!this.exists()) return [];
    const doc = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { tokens?: TokenEntry[] };
    return doc.tokens ?? [];
  }

  save(tokens: TokenEntry[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify({ tokens }, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

export class TokenStore {
  /** The list's entries with their hashes as bytes, parsed again only when the list changed. */
  private readonly parsed = new StampCache<{ entries: readonly TokenEntry[]; hashes: readonly Buffer[] }>();
  private readonly stored: TokenList;

  /** A file path (tests, tools) or a list kept elsewhere (openTokenStore in common/stores.ts). */
  constructor(where: string | TokenList = tokensFile()) {
    this.stored = typeof where === 'string' ? new TokenFile(where) : where;
  }

  exists(): boolean {
    return this.stored.exists();
  }

  list(): TokenInfo[] {
    return this.entries().map(({ name, scope, createdAt }) => ({
      name,
      scope: scope ?? LEGACY_SCOPE,
      createdAt,
    }));
  }

  /** Creates a token and returns its plain value (the only time it is available). */
  create(name: string, scope: Scope = 'admin'): string {
    if (!NAME.test(name))
      throw new Error(`invalid token name "${name}": letters, digits, ".", "_", "-" (max 63)`);
    if (!isScope(scope)) throw new Error(`invalid scope "${scope}": one of ${SCOPES.join(', ')}`);
    const entries = this.entries();
    if (entries.some((e) => e.name === name)) throw new Error(`a token named "${name}" already exists`);
    const token = `zke_${randomBytes(32).toString('base64url')}`;
    entries.push({ name, sha256: digest(token).toString('hex'), createdAt: new Date().toISOString(), scope });
    this.stored.save(entries);
    return token;
  }

  /** Returns false when no token has that name. */
  revoke(name: string): boolean {
    const entries = this.entries();
    const kept = entries.filter((e) => e.name !== name);
    if (kept.length === entries.length) return false;
    this.stored.save(kept);
    return true;
  }

  /** The name of the token, or undefined. */
  verify(token: string): string | undefined {
    return this.identify(token)?.name;
  }

  /** The token's name and scope, or undefined. Compares every stored hash in constant time. */
  identify(token: string): { name: string; scope: Scope } | undefined {
    const presented = digest(token);
    const { entries, hashes } = this.loaded();
    let match: TokenEntry | undefined;
    entries.forEach((entry, i) => {
      const stored = hashes[i];
      if (stored.length === presented.length && timingSafeEqual(stored, presented)) match ??= entry;
    });
    return match && { name: match.name, scope: match.scope ?? LEGACY_SCOPE };
  }

  /** The stored entries (a fresh array: callers may change it). */
  private entries(): TokenEntry[] {
    return [...this.loaded().entries];
  }

  private loaded() {
    return this.parsed.get('tokens', this.stored.stamp(), () => {
      const entries = this.stored.read();
      return { entries, hashes: entries.map((e) => Buffer.from(e.sha256, 'hex')) };
    });
  }
}

/** On the API's first start (no tokens file yet): creates the "admin" token and returns it to print once. */
export function firstStartToken(store: TokenStore): string | undefined {
  if (store.exists()) return undefined;
  try {
    return store.create('admin');
  } catch (err) {
    if (store.exists()) return undefined; // another API replica made it first
    throw err;
  }
}
