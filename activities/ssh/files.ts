// File sync over SFTP: write a file only when its content differs (atomic rename), fix its mode.
import type { Hash } from 'node:crypto';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
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
