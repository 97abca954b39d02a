// etcd snapshots and restore on a cluster with two etcd members: a snapshot is listed with its files, sizes and
// checksums (which match the files on the hosts); a key written after it is gone once it is restored, the
// members are healthy again and the cluster works; and so it is when the worker running the restore is SIGKILLed
// while it restores the members' data, and another worker takes over. Last, a snapshot zipped with the cluster's
// exported state as RKE zips them is restored onto the same hosts wiped clean (zke remove) with no record left:
// zke recover --from-rke-snapshot, a provision, a restore; the key in the snapshot is back, the old kubeconfig works.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { store } from '../../activities/clusterState.ts';
import type { SnapshotRecord } from '../../activities/snapshot.ts';
import { EXIT } from '../../cli/command.ts';
import { exportRkeState } from '../../common/stateExport.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { LAB_KUBECTL, labClusterYaml, type RoleMap } from '../support/cluster.ts';
import { activityRuns, waitForStatus } from '../support/faults.ts';
import { adminKubeconfigFile, kubectl } from '../support/kubectl.ts';
import { labExec } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker } from '../support/workerProcess.ts';
import { goZip } from '../support/zip.ts';
import { runZke } from '../support/zkeCli.ts';
import { healthyNodes, type Kubectl, labSpec, labSuite, provision, run, SKIP } from './lifecycle-harness.ts';

let k: Kubectl;

const suite = labSuite(2);

const ops = () => suite.ops();
/** Both hosts run etcd; the first the control plane too. */
const roles = (): RoleMap => {
  const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
  return { [a]: ['etcd', 'controlplane', 'worker'], [b]: ['etcd', 'worker'] };
};
const etcdctl = (host: string, ...args: string[]) =>
  labExec(host, ['docker', 'exec', 'etcd', 'etcdctl', ...args]);

test(
  'a snapshot is listed with a file per etcd host whose size and sha256 match the host',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    k = await provision(ops(), labSpec('snap', suite.hosts, roles()));
    const [a, b] = suite.hosts.map((h) => h.name);
    const result = await run(ops(), 'snapshotEtcd', { cluster: 'snap', name: 'before-key' });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const [snap] = store().read<SnapshotRecord[]>('snap', 'snapshots') ?? [];
    assert.equal(snap?.name, 'before-key');
    assert.deepEqual(
      snap.files.map((f) => f.host),
      [a, b],
    );
    for (const f of snap.files) {
      const sum = await labExec(f.host, ['sha256sum', f.path]);
      assert.equal(sum.stdout.split(' ')[0], f.sha256, `${f.host}: checksum`);
      const size = await labExec(f.host, ['stat', '-c', '%s', f.path]);
      assert.equal(Number(size.stdout), f.size, `${f.host}: size`);
      assert.ok(f.size > 0);
    }
  },
);

test(
  'restore: a key written after the snapshot is gone, etcd is healthy, the cluster works',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    await keyAfterSnapshot(a, b);
    const result = await run(ops(), 'restoreEtcd', { cluster: 'snap', snapshot: 'before-key' });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    for (const host of [a, b]) {
      const got = await etcdctl(host, 'get', '/zke-test/after-snapshot');
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim(), '', `${host}: the key is gone`);
    }
    const health = await etcdctl(a, 'endpoint', 'health', '--cluster');
    assert.equal(health.code, 0, health.stderr);
    assert.equal((health.stdout + health.stderr).match(/is healthy/g)?.length, 2, 'both members healthy');
    await healthyNodes(k, [a, b]);
    assert.match(await k('get', 'namespace', 'kube-system', '-o', 'name'), /namespace\/kube-system/);
  },
);

/** Writes a key after the snapshot and checks that both members hold it. */
async function keyAfterSnapshot(a: string, b: string): Promise<void> {
  assert.equal((await etcdctl(a, 'put', '/zke-test/after-snapshot', 'x')).code, 0);
  assert.equal(
    (await etcdctl(b, 'get', '--print-value-only', '/zke-test/after-snapshot')).stdout.trim(),
    'x',
  );
}

test(
  'a restore whose worker is SIGKILLed while it restores the data completes on the next worker: key gone, etcd healthy',
  { skip: SKIP, timeout: 900_000 },
  async (t) => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    await keyAfterSnapshot(a, b);
    const taskQueue = `restore-kill-${Date.now().toString(36)}`;
    const log = path.join(tempDir('zke-restore-kill'), 'worker.log');
    const first = await spawnWorker(suite.t.address, taskQueue, log);
    const handle = await suite.t.client.workflow.start('restoreEtcd', {
      taskQueue,
      workflowId: clusterWorkflowId('snap'),
      args: [{ cluster: 'snap', snapshot: 'before-key' }],
    });
    await waitForStatus(handle, 'the restore data step', (s) => s.step === 'restore data');
    await first.kill('SIGKILL');
    const second = await spawnWorker(suite.t.address, taskQueue, log);
    try {
      const result = (await handle.result()) as OperationResult;
      assert.equal(result.status.phase, 'succeeded', result.summary);
      const again = (await activityRuns(handle)).filter((r) => r.attempt > 1).map((r) => r.type);
      t.diagnostic(`activities run again after the kill: ${again.join(', ')}`);
      assert.ok(again.length > 0, 'the step the kill interrupted ran again');
    } finally {
      await second.kill();
    }
    for (const host of [a, b]) {
      const got = await etcdctl(host, 'get', '/zke-test/after-snapshot');
      assert.equal(got.code, 0, got.stderr);
      assert.equal(got.stdout.trim(), '', `${host}: the key is gone`);
    }
    const health = await etcdctl(a, 'endpoint', 'health', '--cluster');
    assert.equal((health.stdout + health.stderr).match(/is healthy/g)?.length, 2, 'both members healthy');
    await healthyNodes(k, [a, b]);
  },
);

test(
  'an RKE snapshot archive (etcd snapshot + cluster.rkestate, zipped as rke-tools does) restores onto wiped hosts',
  { skip: SKIP, timeout: 900_000 },
  async (t) => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    assert.equal((await etcdctl(a, 'put', '/zke-test/in-rke-snapshot', 'kept')).code, 0);
    const taken = await run(ops(), 'snapshotEtcd', { cluster: 'snap', name: 'for-rke' });
    assert.equal(taken.status.phase, 'succeeded', taken.summary);
    const dir = tempDir('zke-rke-snapshot');
    const name = 'rke_etcd_snapshot_2026-12-06T17:20:00Z'; // rke etcd snapshot-save's default: RFC 3339
    const archive = path.join(dir, `${name}.zip`);
    writeFileSync(archive, await rkeArchive(name, 'for-rke'));
    const oldKubeconfig = path.join(dir, 'kube_config_old.yml');
    copyFileSync(adminKubeconfigFile('snap'), oldKubeconfig);

    const removed = await run(ops(), 'removeCluster', { cluster: 'snap' });
    assert.equal(removed.status.phase, 'succeeded', removed.summary);
    assert.equal((await labExec(a, ['docker', 'ps', '-aq'])).stdout.trim(), '', `${a} is wiped`);
    const file = path.join(dir, 'cluster.yml');
    writeFileSync(file, stringify(labClusterYaml('snap', suite.hosts, roles())));
    const recovered = await runZke(['recover', '-c', file, '--from-rke-snapshot', archive], {});
    assert.equal(recovered.code, EXIT.ok, recovered.stdout + recovered.stderr);
    t.diagnostic(recovered.stdout.trim());
    assert.match(recovered.stdout, new RegExp(`^cluster snap made from RKE snapshot ${name}: revision 1, `));

    const provisioned = await run(ops(), 'provisionCluster', { cluster: 'snap', revision: 1 });
    assert.equal(provisioned.status.phase, 'succeeded', provisioned.summary);
    const fresh = await etcdctl(a, 'get', '--print-value-only', '/zke-test/in-rke-snapshot');
    assert.equal(fresh.stdout.trim(), '', 'the etcd provisioned on the wiped hosts starts empty');
    const restored = await run(ops(), 'restoreEtcd', { cluster: 'snap', snapshot: name });
    assert.equal(restored.status.phase, 'succeeded', restored.summary);
    for (const host of [a, b]) {
      const got = await etcdctl(host, 'get', '--print-value-only', '/zke-test/in-rke-snapshot');
      assert.equal(got.stdout.trim(), 'kept', `${host}: the snapshot's key is back`);
    }
    // the CA and keys are the state's: the kubeconfig written before the wipe still works
    await healthyNodes(kubectl(LAB_KUBECTL, oldKubeconfig), [a, b]);
  },
);

/** The snapshot `from` (zke's, on the first host) and the cluster's exported state, zipped as RKE names them. */
async function rkeArchive(name: string, from: string): Promise<Buffer> {
  const record = store()
    .read<SnapshotRecord[]>('snap', 'snapshots')
    ?.find((s) => s.name === from);
  const read = await labExec(record!.host, ['base64', '-w0', record!.files[0]!.path]);
  assert.equal(read.code, 0, read.stderr);
  const state = JSON.stringify(exportRkeState(store(), 'snap'), null, 2);
  return goZip([
    { name: `/backup/${name}`, data: Buffer.from(read.stdout, 'base64') },
    { name: `/etc/kubernetes/${name}.rkestate`, data: Buffer.from(state) },
  ]);
}
