// Snapshots off-host, on a 1-host cluster reached as a docker-group user (not root) and the lab's S3 server (versitygw, TLS from its own CA): a one-off
// snapshot is uploaded (the object's bytes are the snapshot's) with the host's rolling snapshot, S3's
// retention deletes old recurring objects and keeps named and recent ones, and with the snapshot gone from
// the host and zke's whole record of the cluster lost, `zke recover --from-s3` brings the record back from the one
// uploaded with the snapshot and a restore by name comes from S3 alone: a ConfigMap deleted after the snapshot is
// back. The secret key is in no workflow history. Then a worker process is SIGKILLed in the
// middle of a ~100 MB snapshot's upload, and the operation completes on a new one. Last, remove takes it all away.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { store } from '../../activities/clusterState.ts';
import { type SnapshotRecord, snapshotDir } from '../../activities/snapshot.ts';
import { EXIT } from '../../cli/command.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { allContainers, LAB_DOCKER_USER, labClusterYaml, parseOrThrow } from '../support/cluster.ts';
import { eventually } from '../support/kubectl.ts';
import { labExec } from '../support/lab.ts';
import { type LabS3, labS3, s3BackupConfig } from '../support/s3.ts';
import { tempDir } from '../support/tempDir.ts';
import { killAfterWriting, spawnWorker } from '../support/workerProcess.ts';
import { runZke } from '../support/zkeCli.ts';
import { labSuite, provision, run, SKIP } from './lifecycle-harness.ts';

const CLUSTER = 's3snap';
/** About 100 MB of values in etcd, so that its snapshot takes a while to upload. */
const FILL_ETCD =
  'for i in $(seq 100); do head -c 1000000 /dev/urandom | etcdctl put /zke-test/big/$i >/dev/null || exit 1; done';
const FOLDER = `clusters/${CLUSTER}`;
const HOUR_MS = 3_600_000;

let s3: LabS3;
const suite = labSuite(1, async () => {
  s3 = await labS3();
});
const ops = () => suite.ops();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const keys = async () => (await s3.client.list(s3.bucket, `${FOLDER}/`)).map((o) => o.key).sort();

/** An object `hoursOld` hours old (its backend file's mtime is what the server reports). */
async function plant(name: string, hoursOld: number): Promise<string> {
  const key = `${FOLDER}/${name}`;
  const body = Buffer.from(`planted ${name}`);
  await s3.client.put(s3.bucket, key, Readable.from([body]), { size: body.length, sha256: sha256(body) });
  const when = new Date(Date.now() - hoursOld * HOUR_MS);
  utimesSync(s3.backendFile(key), when, when);
  return key;
}

test(
  'a one-off snapshot is uploaded with retention applied, and restored from S3 alone by name',
  { skip: SKIP, timeout: 900_000 },
  async () => {
    const { hosts } = suite;
    const [host] = hosts.map((h) => h.name) as [string];
    // as a user in the docker group only: every snapshot file zke reads or writes goes through Docker as root
    const yaml = labClusterYaml(
      CLUSTER,
      hosts,
      { [host]: ['etcd', 'controlplane', 'worker'] },
      { user: LAB_DOCKER_USER },
    );
    const core = yaml.core as Record<string, unknown>;
    core.etcd = {
      backup_config: { interval_hours: 1, retention: 2, s3backupconfig: s3BackupConfig(s3, FOLDER) },
    };
    const spec = parseOrThrow(yaml);
    const k = await provision(ops(), spec);
    const rolling = `${snapshotDir(spec.prefixPath)}/etcd-snapshot-20260101T000000Z.db`;
    const planted = await labExec(host, [
      'sh',
      '-c',
      'head -c 1M /dev/urandom > "$1" && sha256sum "$1"',
      'sh',
      rolling,
    ]);
    assert.equal(planted.code, 0, planted.stderr);
    const oldRecurring = await plant('snapshot-snapshot-20200101t000000z.db', 3);
    await plant('snapshot-snapshot-20200101t000000z.db.zkestate', 3); // its record goes with it
    const newRecurring = await plant('snapshot-snapshot-20200101t000001z.db', 1);
    const oldNamed = await plant('snapshot-keep-me.db', 3);
    await k('create', 'configmap', 'before-snapshot', '--from-literal=kept=yes');

    const taken = await run(ops(), 'snapshotEtcd', { cluster: CLUSTER, name: 'with-cm' });
    assert.equal(taken.status.phase, 'succeeded', taken.summary);
    const key = `${FOLDER}/snapshot-with-cm.db`;
    const [record] = store().read<SnapshotRecord[]>(CLUSTER, 'snapshots') ?? [];
    assert.equal(record?.s3, `s3://${s3.bucket}/${key}`);
    assert.equal(sha256(readFileSync(s3.backendFile(key))), record.sha256, 'the object is the snapshot');
    const rollingKey = `${FOLDER}/etcd-snapshot-20260101T000000Z.db`;
    assert.deepEqual(
      await keys(),
      [key, `${key}.zkestate`, newRecurring, oldNamed, rollingKey].sort(),
      `the rolling snapshot is uploaded too, the record with the named one; retention deleted ${oldRecurring} (and its record) only`,
    );
    assert.equal(sha256(readFileSync(s3.backendFile(rollingKey))), planted.stdout.split(' ')[0]);
    assert.ok(taken.status.events.some((e) => e.includes(`retention: ${oldRecurring} deleted`)));

    const history = JSON.stringify(
      await ops().t.client.workflow.getHandle(clusterWorkflowId(CLUSTER)).fetchHistory(),
      (_key, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value),
    );
    assert.ok(!history.includes(s3.secretKey), 'the secret key is in no workflow history');

    await k('delete', 'configmap', 'before-snapshot');
    const wiped = await labExec(host, ['rm', '-f', record.files[0]!.path]);
    assert.equal(wiped.code, 0, wiped.stderr);
    // ZKE_HOME's record lost too: it comes back from the one uploaded with the snapshot
    const file = path.join(tempDir('zke-recover-s3'), 'cluster.yml');
    writeFileSync(file, stringify(yaml));
    store().remove(CLUSTER);
    const recovered = await runZke(['recover', '-c', file, '--from-s3', 'with-cm'], {});
    assert.equal(recovered.code, EXIT.ok, recovered.stdout + recovered.stderr);
    assert.match(
      recovered.stdout,
      new RegExp(
        `^recovered cluster ${CLUSTER}: revision 1 applied, \\d+ records, from S3 \\(snapshot with-cm\\)`,
      ),
    );
    assert.equal(store().read<SnapshotRecord[]>(CLUSTER, 'snapshots')?.[0]?.name, 'with-cm');

    const restored = await run(ops(), 'restoreEtcd', { cluster: CLUSTER, snapshot: 'with-cm' });
    assert.equal(restored.status.phase, 'succeeded', restored.summary);
    assert.ok(
      restored.status.events.some((e) => e.includes(`with-cm downloaded from s3://${s3.bucket}/${key}`)),
      restored.status.events.join('\n'),
    );
    const back = await labExec(host, ['sha256sum', record.files[0]!.path]);
    assert.equal(back.stdout.split(' ')[0], record.sha256, 'the downloaded file is the snapshot');
    await eventually('the ConfigMap deleted after the snapshot is back', async () =>
      assert.equal(await k('get', 'configmap', 'before-snapshot', '-o', 'jsonpath={.data.kept}'), 'yes'),
    );
  },
);

test(
  'the worker killed mid-upload: the snapshot operation completes on a new worker, the object whole',
  { skip: SKIP, timeout: 900_000 },
  async () => {
    const [host] = suite.hosts.map((h) => h.name) as [string];
    const filled = await labExec(host, ['docker', 'exec', 'etcd', 'sh', '-c', FILL_ETCD]);
    assert.equal(filled.code, 0, filled.stderr);
    const { t } = ops();
    const logFile = path.join(tempDir('zke-s3-kill'), 'worker.log');
    const queue = `s3-kill-${Date.now()}`;
    let worker = await spawnWorker(t.address, queue, logFile);
    const handle = await t.client.workflow.start('snapshotEtcd', {
      taskQueue: queue,
      workflowId: clusterWorkflowId(CLUSTER),
      args: [{ cluster: CLUSTER, name: 'big' }],
    });
    assert.ok(await killAfterWriting(worker.process, 16 * 1024 * 1024), 'the worker was killed mid-upload');
    const key = `${FOLDER}/snapshot-big.db`;
    assert.equal(await s3.client.head(s3.bucket, key), undefined, 'no object while the upload is cut');

    worker = await spawnWorker(t.address, queue, logFile);
    try {
      const result = (await handle.result()) as OperationResult;
      assert.equal(result.status.phase, 'succeeded', result.summary);
    } finally {
      await worker.kill();
    }
    const record = (store().read<SnapshotRecord[]>(CLUSTER, 'snapshots') ?? []).find((r) => r.name === 'big');
    assert.ok(record && record.size > 64 * 1024 * 1024, `a big snapshot: ${record?.size} bytes`);
    assert.equal(record.s3, `s3://${s3.bucket}/${key}`);
    assert.equal(statSync(s3.backendFile(key)).size, record.size);
    assert.equal(
      sha256(readFileSync(s3.backendFile(key))),
      record.sha256,
      'the object is the whole snapshot',
    );
  },
);

test(
  'remove as the docker-group user: no container, no kubelet mount, and no zke directory are left',
  { skip: SKIP, timeout: 300_000 },
  async () => {
    const [host] = suite.hosts.map((h) => h.name) as [string];
    const result = await run(ops(), 'removeCluster', { cluster: CLUSTER });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.deepEqual(await allContainers(host), [], `${host}: no container left`);
    const mounts = await labExec(host, ['grep', '-c', ' /var/lib/kubelet/', '/proc/mounts']);
    assert.equal(mounts.stdout.trim(), '0', `${host}: kubelet's mounts are gone`);
    for (const dir of ['/etc/kubernetes', '/var/lib/etcd', '/var/lib/kubelet']) {
      assert.notEqual((await labExec(host, ['test', '-e', dir])).code, 0, `${host}: ${dir} removed`);
    }
  },
);
