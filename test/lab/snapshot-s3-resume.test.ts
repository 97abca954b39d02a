// An S3 upload cut by a dying worker: the process running uploadSnapshot is SIGKILLed with part of a 160 MiB
// snapshot sent to the lab's S3 server (versitygw). No object, partial or whole, is left, and the snapshot is
// not marked uploaded; the next attempt (what Temporal runs on another worker) uploads it whole, and one
// more attempt finds it there and sends nothing. No Kubernetes needed: the snapshot file is planted on a lab
// host and recorded as the snapshot workflow records one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { store } from '../../activities/clusterState.ts';
import {
  recordSnapshot,
  type SnapshotRecord,
  snapshotDir,
  snapshotFileName,
} from '../../activities/snapshot.ts';
import { uploadSnapshot } from '../../activities/snapshotS3.ts';
import { labClusterYaml, parseOrThrow, submitRevision } from '../support/cluster.ts';
import {
  currentLab,
  LAB_SKIP_REASON,
  type LabHost,
  labDown,
  labExec,
  labUp,
  runCommand,
} from '../support/lab.ts';
import { type LabS3, labS3, s3BackupConfig } from '../support/s3.ts';
import { killAfterWriting } from '../support/workerProcess.ts';
import '../support/temporal.ts'; // ZKE_HOME / ZKE_KEYRING for this process and the upload process

const CLUSTER = 's3resume';
const NAME = 'big';
const FOLDER = 'resume';
const SIZE_MIB = 160;
/** Bytes the upload process must have written (to its sockets) before it is killed: well inside the upload. */
const KILL_AFTER_BYTES = 24 * 1024 * 1024;

let hosts: LabHost[];
let s3: LabS3;

before(async () => {
  if (LAB_SKIP_REASON) return;
  hosts = await labUp(1);
  s3 = await labS3();
});
after(async () => {
  if (LAB_SKIP_REASON) return;
  await labDown();
});

/** Submits a cluster on the lab host with S3 configured and records a planted snapshot file on it. */
async function plantedSnapshot(): Promise<{ revision: number; record: SnapshotRecord }> {
  const yaml = labClusterYaml(CLUSTER, hosts, { [hosts[0]!.name]: ['etcd', 'controlplane', 'worker'] });
  (yaml.core as Record<string, unknown>).etcd = {
    backup_config: { s3backupconfig: s3BackupConfig(s3, FOLDER) },
  };
  const spec = parseOrThrow(yaml);
  const revision = submitRevision(spec);
  const file = `${snapshotDir(spec.prefixPath)}/${snapshotFileName(NAME)}`;
  const made = await labExec(hosts[0]!.name, [
    'sh',
    '-c',
    `mkdir -p "$(dirname "$1")" && head -c ${SIZE_MIB}M /dev/urandom > "$1" && sha256sum "$1"`,
    'sh',
    file,
  ]);
  assert.equal(made.code, 0, made.stderr);
  const sha256 = made.stdout.split(' ')[0]!;
  const files = [{ host: hosts[0]!.name, path: file, size: SIZE_MIB * 1024 * 1024, sha256 }];
  const record = await recordSnapshot({ cluster: CLUSTER, revision, name: NAME, createdAt: 'now', files });
  return { revision, record };
}

/** Starts the upload in its own process and SIGKILLs it once it has sent KILL_AFTER_BYTES. */
async function killMidUpload(revision: number): Promise<{ killed: boolean; output: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve('test/support/uploadProcess.ts'), CLUSTER, String(revision), NAME],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return { killed: await killAfterWriting(child, KILL_AFTER_BYTES), output };
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

test(
  'an upload killed mid-way leaves no object; the next attempt uploads it whole, once',
  { skip: LAB_SKIP_REASON, timeout: 600_000 },
  async () => {
    const { revision, record } = await plantedSnapshot();
    const key = `${FOLDER}/${snapshotFileName(NAME)}`;

    const cut = await killMidUpload(revision);
    assert.ok(cut.killed, `the upload ended before it could be killed: ${cut.output}`);
    assert.equal(await s3.client.head(s3.bucket, key), undefined, 'no object after the kill');
    assert.deepEqual(
      await s3.client.list(s3.bucket, `${FOLDER}/`),
      [],
      'nothing, partial or whole, is listed',
    );
    assert.equal(stored()?.s3, undefined, 'the snapshot is not marked uploaded');

    const url = await uploadSnapshot({ cluster: CLUSTER, revision, name: NAME });
    assert.equal(url, `s3://${s3.bucket}/${key}`);
    const listed = await s3.client.list(s3.bucket, `${FOLDER}/`);
    assert.deepEqual(
      listed.map((o) => o.key),
      [key, `${key}.zkestate`],
      "the snapshot, and zke's record sealed beside it",
    );
    assert.equal(listed[0]!.size, record.size);
    assert.equal(await fileSha256(s3.backendFile(key)), record.sha256, 'the object is the whole snapshot');
    assert.equal(stored()?.s3, url);

    const before = statSync(s3.backendFile(key));
    assert.equal(await uploadSnapshot({ cluster: CLUSTER, revision, name: NAME }), url);
    const again = statSync(s3.backendFile(key));
    assert.deepEqual([again.ino, again.mtimeMs], [before.ino, before.mtimeMs], 'not sent a second time');
  },
);

const stored = () =>
  store()
    .read<SnapshotRecord[]>(CLUSTER, 'snapshots')
    ?.find((s) => s.name === NAME);

test('zlab.sh down stops the S3 server', { skip: LAB_SKIP_REASON, timeout: 120_000 }, async () => {
  await labDown();
  const left = await runCommand('pgrep', ['-f', `versitygw posix ${currentLab().root}/s3/data`]);
  assert.equal(left.stdout.trim(), '', 'no versitygw of this lab runs');
  await assert.rejects(s3.client.list(s3.bucket, ''), 'the endpoint no longer answers');
});
