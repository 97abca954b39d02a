// The payload-encryption keyring: {current, keys{id: base64 32-byte key}} in a 0600 file under ZKE_HOME.
// Rotation = add a new key and make it current; old keys stay so old histories still decode.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StampCache, stampOf } from './stamp.ts';

export interface Keyring {
  current: string;
  keys: Record<string, string>;
}

const parsed = new StampCache<Keyring>();

/** Parsed again only when the file changed (a rotation by another process included). */
function readKeyring(file: string): Keyring {
  return parsed.get(file, stampOf(file), () => JSON.parse(fs.readFileSync(file, 'utf8')) as Keyring);
}

/** The keyring in `file`; never a new one (a restore needs the keys that sealed what it reads). */
export function existingKeyring(file: string): Keyring {
  if (!fs.existsSync(file))
    throw new Error(
      `no payload keyring at ${file}: put the keyring zke used there (its backup), or set ZKE_KEYRING to it`,
    );
  return readKeyring(file);
}

export function loadOrCreateKeyring(file: string): Keyring {
  if (fs.existsSync(file)) return readKeyring(file);
  const ring: Keyring = { current: 'k1', keys: { k1: randomBytes(32).toString('base64') } };
  // the API and the worker start together: the first to create the file wins, the other reads it
  return writeKeyring(file, ring, { exclusive: true }) ? ring : readKeyring(file);
}

export function rotateKeyring(file: string): Keyring {
  const ring = loadOrCreateKeyring(file);
  const next = `k${Object.keys(ring.keys).length + 1}`;
  const rotated = { current: next, keys: { ...ring.keys, [next]: randomBytes(32).toString('base64') } };
  writeKeyring(file, rotated);
  return rotated;
}

/** Writes the ring atomically; exclusive: only when no file exists (false when one did). */
function writeKeyring(file: string, ring: Keyring, { exclusive = false } = {}): boolean {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(ring, null, 2), { mode: 0o600 });
  if (!exclusive) {
    fs.renameSync(tmp, file);
    return true;
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
