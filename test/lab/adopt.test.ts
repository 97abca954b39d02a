// zke adopt on a real cluster: zke provisions it (2 hosts, Secrets encrypted), a workload and a Secret are put in,
// the state is exported and zke's record of the cluster deleted. Adopting it back from the cluster.yml and the
// exported state compares first (every host "as planned", nothing touched), then takes it over: every container
// zke runs on both hosts is the same one, and so are the workload pod's (its UID kept), the etcd member keeps its ID,
// the Secret still reads (the encryption key was kept), and the old admin kubeconfig still works (same CA). Then the
// record is lost again and `zke recover` writes it back from the sealed copy on the cluster's etcd host. Last, the
// record is lost once more and the take-over's worker SIGKILLed while it reconciles a host: the next worker
// finishes it, and still not one container is replaced nor the etcd member changed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { store } from '../../activities/clusterState.ts';
import { EXIT } from '../../cli/command.ts';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { STATE_COPY_PATH } from '../../common/stateCopy.ts';
import { exportRkeState } from '../../common/stateExport.ts';
import type { OperationResult } from '../../workflows/types.ts';
import { LAB_KUBECTL, labClusterYaml, parseOrThrow } from '../support/cluster.ts';
import { activityRuns, waitForStartedActivity, waitForStatus } from '../support/faults.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { labExec, labSsh } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';
import { runZke } from '../support/zkeCli.ts';
import { adopt as adoptCluster, etcdMembers, startAdopt } from './adopt-harness.ts';
import { labSuite, provision, SKIP, upgrade } from './lifecycle-harness.ts';

const CLUSTER = 'adopted';
const suite = labSuite(2);
// the API's host policy: the lab's key is where a site would keep its keys
process.env.ZKE_SSH_KEY_DIRS = path.dirname(labSsh.keyPath);

const adopt = (doc: object, state: object, apply: boolean) => adoptCluster(suite, CLUSTER, doc, state, apply);

/** The cluster.yml: `a` runs etcd, the control plane and a worker, `b` a worker; Secrets encrypted. */
function clusterDoc(a: string, b: string): Record<string, unknown> {
  const doc = labClusterYaml(CLUSTER, suite.hosts, {
    [a]: ['etcd', 'controlplane', 'worker'],
    [b]: ['worker'],
  });
  (doc.core as Record<string, unknown>)['kube-api'] = { secrets_encryption_config: { enabled: true } };
  return doc;
}

/** zke's containers of a host and those of the workload's pods (namespace default), `id name`, sorted. The
 *  system pods are left out: the cluster still places them (coredns scales out) whatever zke does. */
async function containers(host: string): Promise<string[]> {
  const out = await labExec(host, ['docker', 'ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}']);
  assert.equal(out.code, 0, out.stderr);
  const ours = (line: string) => !line.includes(' k8s_') || line.includes('_default_');
  return out.stdout.split('\n').filter(Boolean).filter(ours).sort();
}

test(
  'a running cluster whose record is lost is adopted back in place: same containers, pods, etcd member, keys, CA',
  { skip: SKIP, timeout: 900_000 },
  async () => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    const doc = clusterDoc(a, b);
    const k = await provision(suite.ops(), parseOrThrow(doc));
    await k('create', 'deployment', 'keep', '--image=zke/tools:v1', '--', 'sleep', '86400');
    await k('create', 'secret', 'generic', 'kept', '--from-literal=word=still-here');
    await eventually('the workload runs', async () =>
      assert.equal(
        await k('get', 'pods', '-l', 'app=keep', '-o', 'jsonpath={.items[0].status.phase}'),
        'Running',
      ),
    );
    const podUid = await k('get', 'pods', '-l', 'app=keep', '-o', 'jsonpath={.items[0].metadata.uid}');
    const oldKubeconfig = `${tempDir('zke-adopt')}/kube_config_old.yml`;
    fs.copyFileSync(adminKubeconfigFile(CLUSTER), oldKubeconfig);
    const before = { a: await containers(a), b: await containers(b), members: await etcdMembers(a) };

    const state = exportRkeState(store(), CLUSTER);
    store().remove(CLUSTER); // zke's record is gone; the cluster runs on

    const compared = await adopt(doc, state, false);
    assert.equal(compared.status.phase, 'succeeded', compared.summary);
    for (const host of [a, b]) {
      const said = compared.status.events.join('\n');
      assert.ok(compared.status.events.includes(`${host}: as planned, nothing to replace`), said);
      assert.match(
        said,
        new RegExp(`^${host}: .*; SSH host key SHA256:\\S+ pinned \\(first contact\\)$`, 'm'),
      );
    }
    assert.ok(
      compared.status.events.includes('adopt: every container is as zke plans it, nothing to replace'),
    );
    assert.equal(
      store().read<{ revision?: number }>(CLUSTER, 'current')?.revision,
      undefined,
      "still not zke's",
    );

    const taken = await adopt(doc, state, true);
    assert.equal(taken.status.phase, 'succeeded', taken.summary);
    assert.deepEqual(
      { a: await containers(a), b: await containers(b), members: await etcdMembers(a) },
      before,
      'not one container replaced or restarted, the etcd member the same',
    );
    const old = kubectl(LAB_KUBECTL, oldKubeconfig);
    assert.equal(
      await old('get', 'pods', '-l', 'app=keep', '-o', 'jsonpath={.items[0].metadata.uid}'),
      podUid,
    );
    assert.equal(
      Buffer.from(await old('get', 'secret', 'kept', '-o', 'jsonpath={.data.word}'), 'base64').toString(),
      'still-here',
    );
    assert.equal(store().read<{ revision?: number }>(CLUSTER, 'current')?.revision, 1, 'zke manages it now');
  },
);

test(
  'zke recover: the record lost again comes back from the sealed copy on the etcd and control plane host; up then changes nothing',
  { skip: SKIP, timeout: 600_000 },
  async (t) => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    const mode = async (host: string) =>
      (await labExec(host, ['stat', '-c', '%a %U', STATE_COPY_PATH])).stdout.trim();
    assert.equal(await mode(a), '600 root', 'the etcd and control plane host keeps the copy, root only');
    assert.equal(await mode(b), '', 'a worker keeps none');
    const doc = clusterDoc(a, b);
    const file = path.join(tempDir('zke-recover'), 'cluster.yml');
    fs.writeFileSync(file, stringify(doc));
    const kept = Object.fromEntries(
      store()
        .keys(CLUSTER)
        .filter((key) => key !== 'last-status')
        .map((key) => [key, store().read(CLUSTER, key)]),
    );
    const before = { a: await containers(a), b: await containers(b), members: await etcdMembers(a) };
    store().remove(CLUSTER);

    // another keyring (a new ZKE_HOME's) does not open it, and nothing is written
    const otherRing = path.join(tempDir('zke-recover-ring'), 'keyring.json');
    loadOrCreateKeyring(otherRing);
    const refused = await runZke(['recover', '-c', file], { ZKE_KEYRING: otherRing });
    assert.equal(refused.code, EXIT.failed, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`${a}: ${STATE_COPY_PATH} does not open with key "k1"`));
    assert.deepEqual(store().keys(CLUSTER), []);
    t.diagnostic(refused.stderr.trim());

    const recovered = await runZke(['recover', '-c', file], {});
    assert.equal(recovered.code, EXIT.ok, recovered.stdout + recovered.stderr);
    t.diagnostic(recovered.stdout.trim());
    assert.match(
      recovered.stdout,
      new RegExp(`^recovered cluster ${CLUSTER}: revision 1 applied, \\d+ records, from ${a} `),
    );
    for (const [key, value] of Object.entries(kept)) assert.deepEqual(store().read(CLUSTER, key), value, key);

    const again = await upgrade(suite.ops(), parseOrThrow(doc));
    assert.equal(again.status.phase, 'succeeded', again.summary);
    assert.deepEqual(
      { a: await containers(a), b: await containers(b), members: await etcdMembers(a) },
      before,
      'zke up after the recovery replaced nothing',
    );
  },
);

test(
  'a take-over whose worker is SIGKILLed while it reconciles a host completes on the next worker: nothing replaced',
  { skip: SKIP, timeout: 600_000 },
  async (t) => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    const before = { a: await containers(a), b: await containers(b), members: await etcdMembers(a) };
    const state = exportRkeState(store(), CLUSTER);
    store().remove(CLUSTER);

    const taskQueue = `adopt-kill-${Date.now().toString(36)}`;
    const log = path.join(tempDir('zke-adopt-kill'), 'worker.log');
    const first = await spawnWorker(suite.t.address, taskQueue, log);
    let second: WorkerProcess | undefined;
    try {
      const handle = await startAdopt(suite, CLUSTER, clusterDoc(a, b), state, true, taskQueue);
      await waitForStatus(handle, 'the take-over', (s) => s.stepsDone.includes('take over'));
      await waitForStartedActivity(handle, 'a host reconcile', (type) => type === 'reconcileHost');
      await first.kill('SIGKILL');
      second = await spawnWorker(suite.t.address, taskQueue, log);
      const result = (await handle.result()) as OperationResult;
      assert.equal(result.status.phase, 'succeeded', result.summary);
      const again = (await activityRuns(handle)).filter((r) => r.attempt > 1);
      t.diagnostic(`run again after the kill: ${again.map((r) => `${r.type} #${r.attempt}`).join(', ')}`);
      assert.ok(
        again.some((r) => r.type === 'reconcileHost'),
        'the kill interrupted a reconcile: it ran again',
      );
    } finally {
      await first.kill();
      await second?.kill();
    }
    assert.deepEqual(
      { a: await containers(a), b: await containers(b), members: await etcdMembers(a) },
      before,
      'not one container replaced or restarted, the etcd member the same',
    );
    assert.ok(store().read<{ revision?: number }>(CLUSTER, 'current')?.revision, 'zke manages it again');
  },
);
