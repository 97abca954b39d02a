// Files on a host, as root: synced (written only when their content differs, atomic rename, mode and owner
// fixed) and streamed, over SFTP for root, else through commands run as root (SshSession.execRaw/execStream).
import { createHash, type Hash } from 'node:crypto';
import path from 'node:path';
import { PassThrough, type Readable, Transform, Writable } from 'node:stream';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import type { SshSession } from './session.ts';

export interface RemoteFile {
  path: string;
  mode: number;
  content: string;
  /** `uid:gid` to own the file; its directories are then made traversable (o+x) for that user. */
  owner?: string;
}

export interface SyncResult {
  written: string[];
  unchanged: string[];
}

export async function syncFiles(
  session: SshSession,
  files: RemoteFile[],
  dirMode = 0o700,
): Promise<SyncResult> {
  if (session.target.rootImage) return syncFilesAsRoot(session, files, dirMode);
  const sftp = await session.sftp();
  const result: SyncResult = { written: [], unchanged: [] };
  for (const f of files) {
    await mkdirp(sftp, path.posix.dirname(f.path), dirMode);
    const current = await readIfExists(sftp, f.path);
    if (current?.equals(Buffer.from(f.content))) {
      await chmod(sftp, f.path, f.mode);
      await own(sftp, f);
      result.unchanged.push(f.path);
      continue;
    }
    const tmp = `${f.path}.zke-tmp`;
    await write(sftp, tmp, f.content, f.mode);
    await rename(sftp, tmp, f.path);
    await own(sftp, f);
    result.written.push(f.path);
  }
  return result;
}

/**
 * Each stdin line "mode owner sha256 base64 path" (owner "-": none; base64 "-": empty): an unchanged file (same sha256) keeps its
 * content, a changed one is written beside and renamed over; then its mode, its owner and, for an owner, o+x and
 * g+x on the directories above it. Prints "written PATH" or "unchanged PATH" per file.
 */
const SYNC_SCRIPT = `while read -r mode owner sum data path; do
  if [ -f "$path" ] && [ "$(sha256sum < "$path" | cut -c1-64)" = "$sum" ]; then state=unchanged; else
    [ "$data" != - ] || data=
    mkdir -p "\${path%/*}" && printf '%s' "$data" | base64 -d > "$path.zke-tmp" &&
      chmod "$mode" "$path.zke-tmp" && mv -f "$path.zke-tmp" "$path" || exit 1
    state=written
  fi
  chmod "$mode" "$path" || exit 1
  if [ "$owner" != - ]; then
    chown "$owner" "$path" || exit 1
    d=\${path%/*}
    while [ -n "$d" ]; do chmod go+x "$d" || exit 1; d=\${d%/*}; done
  fi
  echo "$state $path"
done`;

/** syncFiles for a user without root (target.rootImage): one command as root for all the files. */
async function syncFilesAsRoot(
  session: SshSession,
  files: RemoteFile[],
  dirMode: number,
): Promise<SyncResult> {
  const lines = files.map((f) => {
    if (!f.path.startsWith('/') || f.path.includes('\n'))
      throw new Error(`${session.target.host}: not an absolute one-line path: ${JSON.stringify(f.path)}`);
    const sum = createHash('sha256').update(f.content).digest('hex');
    const data = Buffer.from(f.content).toString('base64') || '-';
    return `${f.mode.toString(8)} ${f.owner ?? '-'} ${sum} ${data} ${f.path}\n`;
  });
  const umask = (~dirMode & 0o777).toString(8).padStart(3, '0');
  const out = await session.execRaw(`umask ${umask}\n${SYNC_SCRIPT}`, { stdin: lines.join('') });
  if (out.code !== 0)
    throw new Error(`${session.target.host}: writing files as root failed: ${out.stderr.trim()}`);
  const result: SyncResult = { written: [], unchanged: [] };
  for (const line of out.stdout.split('\n').filter(Boolean)) {
    const [state, ...rest] = line.split(' ');
    result[state === 'written' ? 'written' : 'unchanged'].push(rest.join(' '));
  }
  return result;
}

/** Gives a file with an owner to it, and lets that user through the directories above it. */
async function own(sftp: SFTPWrapper, f: RemoteFile): Promise<void> {
  if (!f.owner) return;
  const [uid, gid] = f.owner.split(':').map(Number) as [number, number];
  await new Promise<void>((resolve, reject) =>
    sftp.chown(f.path, uid, gid, (err) => (err ? reject(err) : resolve())),
  );
  for (let dir = path.posix.dirname(f.path); dir !== '/'; dir = path.posix.dirname(dir)) {
    const mode = await new Promise<number>((resolve, reject) =>
      sftp.stat(dir, (err, stats) => (err ? reject(err) : resolve(stats.mode & 0o7777))),
    );
    if ((mode & 0o011) !== 0o011) await chmod(sftp, dir, mode | 0o011);
  }
}

export async function readRemoteFile(session: SshSession, file: string): Promise<Buffer | undefined> {
  return readIfExists(await session.sftp(), file);
}

function readIfExists(sftp: SFTPWrapper, file: string): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) =>
    sftp.readFile(file, (err, data) => {
      if (!err) return resolve(data);
      return (err as { code?: number }).code === 2 ? resolve(undefined) : reject(err);
    }),
  );
}

function write(sftp: SFTPWrapper, file: string, content: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.writeFile(file, content, { mode }, (err) =>
      err ? reject(err) : chmod(sftp, file, mode).then(resolve, reject),
    ),
  );
}

function chmod(sftp: SFTPWrapper, file: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) => sftp.chmod(file, mode, (err) => (err ? reject(err) : resolve())));
}

function rename(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) =>
    sftp.ext_openssh_rename(from, to, (err) => (err ? reject(err) : resolve())),
  );
}

async function mkdirp(sftp: SFTPWrapper, dir: string, mode: number): Promise<void> {
  const exists = await new Promise<boolean>((resolve) => sftp.stat(dir, (err) => resolve(!err)));
  if (exists || dir === '/') return;
  await mkdirp(sftp, path.posix.dirname(dir), mode);
  await new Promise<void>((resolve, reject) =>
    sftp.mkdir(dir, { mode }, (err) =>
      err && (err as { code?: number }).code !== 4 ? reject(err) : resolve(),
    ),
  );
}

/** A file on the host read as root: over SFTP for root, else `cat` as root; a failed read errors the stream. */
export async function readFileStream(session: SshSession, file: string): Promise<Readable> {
  if (!session.target.rootImage) return (await session.sftp()).createReadStream(file);
  const channel = await session.execStream(['cat', '--', file]);
  channel.end();
  const out = new PassThrough();
  channel.pipe(out, { end: false });
  onExit(channel, session, `reading ${file}`, (err) => (err ? out.destroy(err) : out.end()));
  return out;
}

/** A stream that writes `file` (mode 0600) as root: over SFTP for root, else `cat` as root. */
export async function writeFileStream(session: SshSession, file: string): Promise<Writable> {
  if (!session.target.rootImage) return (await session.sftp()).createWriteStream(file, { mode: 0o600 });
  const channel = await session.execStream(['sh', '-c', 'umask 077 && cat > "$1"', 'sh', file]);
  channel.resume(); // nothing on stdout; keep the channel flowing
  let finish: ((err?: Error | null) => void) | undefined;
  const writable = new Writable({
    write: (chunk, encoding, cb) => channel.write(chunk, encoding, cb),
    final: (cb) => {
      finish = cb;
      channel.end();
    },
  });
  onExit(channel, session, `writing ${file}`, (err) => {
    if (finish) finish(err);
    else
      writable.destroy(err ?? new Error(`${session.target.host}: writing ${file}: the command ended early`));
  });
  return writable;
}

/** Calls `then` once the command on `channel` exited: with an error naming the host and its stderr unless 0. */
function onExit(
  channel: ClientChannel,
  session: SshSession,
  what: string,
  then: (err?: Error) => void,
): void {
  const stderr: Buffer[] = [];
  channel.stderr.on('data', (d: Buffer) => stderr.push(d));
  channel.on('close', (code: number | null) =>
    then(
      code === 0
        ? undefined
        : new Error(
            `${session.target.host}: ${what} as root failed (exit ${code}): ${Buffer.concat(stderr).toString().trim()}`,
          ),
    ),
  );
}

/** A pass-through that reports the bytes seen so far (and feeds them to `hash`, when given). */
export function counting(progress: (bytes: number) => void, hash?: Hash): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      hash?.update(chunk);
      progress(bytes);
      done(null, chunk);
    },
  });
}
