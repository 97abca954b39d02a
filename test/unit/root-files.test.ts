// Files and commands as root for a non-root SSH user (a docker-group user, RKE's usual node user): the command
// line that runs a script in the host's mount namespace through Docker, and syncFiles' one-command script, run
// here by a real shell in a scratch directory (the fake session runs what the host's container would).
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { readFileStream, syncFiles, writeFileStream } from '../../activities/ssh/files.ts';
import { asRootArgv, type SshSession } from '../../activities/ssh/session.ts';
import type { SshTarget } from '../../activities/ssh/target.ts';
import { tempDir } from '../support/tempDir.ts';

const target: SshTarget = {
  host: 'n1',
  address: '10.0.0.11',
  port: 22,
  user: 'zke',
  keyPath: '/k',
  rootImage: 'reg/zke/tools:v1',
};

/** What ssh2 gives for a command: stdout to read, stdin to write, `stderr`, and 'close' with the exit code. */
class LocalChannel extends Duplex {
  readonly stderr: Readable;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(argv: string[]) {
    super({ emitClose: false });
    this.child = spawn(argv[0]!, argv.slice(1));
    this.stderr = this.child.stderr;
    this.child.stdin.on('error', () => {});
    this.child.stdout.on('data', (d: Buffer) => this.push(d));
    this.child.on('close', (code) => {
      this.push(null);
      this.emit('close', code);
    });
  }

  override _read(): void {}

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.child.stdin.write(chunk, encoding, () => cb()); // as over SSH: what a gone process misses is dropped
  }

  override _final(cb: () => void): void {
    this.child.stdin.end(() => cb());
  }
}

/** A session whose commands as root run in a local shell; records the scripts it ran. */
function localRoot(): { session: SshSession; scripts: string[] } {
  const scripts: string[] = [];
  const execRaw = async (script: string, opts: { stdin?: Buffer | string } = {}) => {
    scripts.push(script);
    const r = spawnSync('sh', ['-c', script], { input: opts.stdin ?? '', encoding: 'utf8' });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  const execStream = async (argv: string[]) => new LocalChannel(argv);
  return { session: { target, execRaw, execStream } as unknown as SshSession, scripts };
}

test("a script as root: the host's own shell in the host PID 1 mount namespace, from a privileged container", () => {
  const argv = asRootArgv({ ...target, dockerSocket: '/run/d.sock' }, 'reg/zke/tools:v1', 'rm -rf /x');
  assert.equal(
    argv.join(' '),
    'docker -H unix:///run/d.sock run --rm -i --pull=never --log-driver=none --privileged --pid=host --net=host ' +
      '--env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin reg/zke/tools:v1 ' +
      'nsenter -t 1 -m -- /bin/sh -c rm -rf /x',
  );
  assert.equal(argv.at(-1), 'rm -rf /x', 'the script is one word');
});

test('syncFiles as root: one command writes what changed, keeps what did not, sets modes and owners', async () => {
  const dir = tempDir('zke-root-files');
  const { session, scripts } = localRoot();
  const uid = process.getuid?.() ?? 0;
  const files = [
    { path: path.join(dir, 'ssl/kube-ca.pem'), mode: 0o644, content: 'CERT\n' },
    { path: path.join(dir, 'ssl/kube-ca-key.pem'), mode: 0o600, content: 'KEY with spaces\n' },
    { path: path.join(dir, 'etcd/data dir/key.pem'), mode: 0o600, content: '', owner: `${uid}:${uid}` },
  ];
  assert.deepEqual(await syncFiles(session, files), { written: files.map((f) => f.path), unchanged: [] });
  assert.equal(scripts.length, 1, 'one command for every file');
  for (const f of files) {
    assert.equal(fs.readFileSync(f.path, 'utf8'), f.content);
    assert.equal(fs.statSync(f.path).mode & 0o777, f.mode);
  }
  assert.equal(
    fs.statSync(path.join(dir, 'ssl')).mode & 0o777,
    0o700,
    'new directories get the directory mode',
  );
  assert.equal(
    fs.statSync(path.join(dir, 'etcd/data dir')).mode & 0o011,
    0o011,
    "an owner's directories are traversable",
  );
  assert.deepEqual(
    fs.readdirSync(path.join(dir, 'ssl')).sort(),
    ['kube-ca-key.pem', 'kube-ca.pem'],
    'no temporary file left',
  );

  fs.chmodSync(files[0]!.path, 0o600);
  const again = await syncFiles(session, [
    { ...files[0]!, content: 'CERT\n' },
    { ...files[1]!, content: 'NEW KEY\n' },
  ]);
  assert.deepEqual(again, { written: [files[1]!.path], unchanged: [files[0]!.path] });
  assert.equal(fs.statSync(files[0]!.path).mode & 0o777, 0o644, 'an unchanged file gets its mode back');
  assert.equal(fs.readFileSync(files[1]!.path, 'utf8'), 'NEW KEY\n');
});

test('syncFiles as root: a failed write fails the call, naming the host and what the shell said', async () => {
  const { session } = localRoot();
  const file = path.join(tempDir('zke-root-files'), 'a-file');
  fs.writeFileSync(file, 'x');
  await assert.rejects(
    syncFiles(session, [{ path: path.join(file, 'under-a-file.pem'), mode: 0o600, content: 'x' }]),
    /^Error: n1: writing files as root failed: .*(Not a directory|File exists)/,
  );
});

test('file streams as root (snapshot copies): written 0600 and read back whole; a failed read errors the stream', async () => {
  const { session } = localRoot();
  const dir = tempDir('zke-root-stream');
  const snapshot = Buffer.alloc(3 * 1024 * 1024, 7); // more than one pipe buffer
  const file = path.join(dir, 'etcd snapshot.db');
  await pipeline(Readable.from([snapshot]), await writeFileStream(session, file));
  assert.ok(fs.readFileSync(file).equals(snapshot));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const chunks: Buffer[] = [];
  for await (const chunk of await readFileStream(session, file)) chunks.push(chunk as Buffer);
  assert.ok(Buffer.concat(chunks).equals(snapshot));
  const missing = await readFileStream(session, path.join(dir, 'gone.db'));
  await assert.rejects(
    pipeline(missing, fs.createWriteStream(path.join(dir, 'copy'))),
    /^Error: n1: reading .*gone\.db as root failed \(exit 1\): cat: /,
  );
  await assert.rejects(
    pipeline(Readable.from([snapshot]), await writeFileStream(session, path.join(dir, 'no-dir/x.db'))),
    /^Error: n1: writing .*no-dir\/x\.db as root failed \(exit 2\): .*Directory nonexistent/,
  );
});
