// UpgradeCluster on a real 3-host cluster from LAB_K8S_VERSION to NEXT_VERSION, with max_unavailable_worker 1
// and drain on: node availability is sampled during the run and never more than one node is unavailable; every
// kubelet ends on the new version and the hosts run the new plan. Then the worker process is SIGKILLed
// mid-upgrade (a kubelet setting changes): a new worker resumes it and it completes. Without NEXT_VERSION's
// images in the lab registry both tests skip, saying so: an upgrade test never quietly tests something else.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { clusterWorkflowId, type OperationStatus, statusQuery } from '../../workflows/types.ts';
import { k8sSkipReason, LAB_K8S_VERSION, submitRevision } from '../support/cluster.ts';
import { type LabHost, labDown, labImages, labUp } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { type TestTemporal, testTemporal } from '../support/temporal.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';
import {
  assertRunsPlan,
  healthyNodes,
  type Kubectl,
  labSpec,
  provision,
  upgrade,
  watchAvailability,
} from './lifecycle-harness.ts';

const NEXT_VERSION = 'v1.34.4';
const SKIP = k8sSkipReason(NEXT_VERSION);
const dir = tempDir('zke-upgrade');
const taskQueue = 'lifecycle-upgrade';
let t: TestTemporal;
let worker: WorkerProcess;
let hosts: LabHost[];
let k: Kubectl;

const newWorker = () => spawnWorker(t.address, taskQueue, path.join(dir, 'worker.log'));

before(async () => {
  if (SKIP) return;
  t = await testTemporal();
  hosts = await labUp(3);
  await labImages();
  worker = await newWorker();
});
after(async () => {
  if (SKIP) return;
  await worker?.kill();
  await labDown();
  await t.close();
});

const ops = () => ({ t, taskQueue });
const roles = () => ({
  [hosts[0].name]: ['etcd', 'controlplane', 'worker'],
  [hosts[1].name]: ['worker'],
  [hosts[2].name]: ['worker'],
});
const STRATEGY = {
  upgrade_strategy: {
    max_unavailable_worker: 1,
    drain: true,
    node_drain_input: { delete_local_data: true, timeout: 120 },
  },
};

function spec(o: { version?: string; maxPods?: string } = {}) {
  const kubeletArgs: Record<string, string> = o.maxPods ? { 'max-pods': o.maxPods } : {};
  return labSpec('upg', hosts, roles(), { version: o.version, kubeletArgs, extra: STRATEGY });
}

const kubeletVersions = async () =>
  new Set((await k('get', 'nodes', '-o', 'jsonpath={.items[*].status.nodeInfo.kubeletVersion}')).split(' '));

test(
  'upgrade with max_unavailable_worker 1: at most one node unavailable at any moment; the new plan runs',
  { skip: SKIP, timeout: 600_000 },
  async (ctx) => {
    k = await provision(ops(), spec());
    await healthyNodes(
      k,
      hosts.map((h) => h.name),
    );
    assert.deepEqual(
      [...(await kubeletVersions())],
      [LAB_K8S_VERSION],
      'every kubelet starts on the old version',
    );
    const target = spec({ version: NEXT_VERSION });
    const watch = watchAvailability(k);
    const result = await upgrade(ops(), target);
    const seen = await watch.stop();
    ctx.diagnostic(
      `availability: ${seen.samples} samples, ${seen.failed} failed (${seen.lastError || 'none'})`,
    );
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.ok(seen.peak <= 1, `at most one node unavailable at once (saw ${seen.peak})`);
    assert.ok(seen.seen.length >= 2, `the rolls were observed (cordoned: ${seen.seen.join(', ')})`);
    await assertRunsPlan(target);
    await healthyNodes(
      k,
      hosts.map((h) => h.name),
    );
    assert.deepEqual([...(await kubeletVersions())], [NEXT_VERSION], 'every kubelet runs the new version');
    assert.ok(
      result.status.events.some((e) => /drained \(\d+ pod\(s\) evicted\)/.test(e)),
      'nodes were drained through the Eviction API',
    );
  },
);

async function status(): Promise<OperationStatus | undefined> {
  return t.client.workflow
    .getHandle(clusterWorkflowId('upg'))
    .query(statusQuery)
    .catch(() => undefined);
}

test(
  'a worker killed mid-upgrade: the upgrade resumes on a new worker and completes',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const target = spec({ version: NEXT_VERSION, maxPods: '160' });
    const handle = await t.client.workflow.start('upgradeCluster', {
      taskQueue,
      workflowId: clusterWorkflowId('upg'),
      args: [{ cluster: 'upg', revision: submitRevision(target) }],
    });
    const deadline = Date.now() + 300_000;
    let s = await status();
    while (!(s?.step === 'worker plane' && Object.values(s.hosts).some((h) => h.state === 'running'))) {
      assert.ok(Date.now() < deadline, `the upgrade did not reach the worker plane (${JSON.stringify(s)})`);
      assert.notEqual(s?.phase, 'failed', s?.error);
      await new Promise((r) => setTimeout(r, 300));
      s = await status();
    }
    const watch = watchAvailability(k);
    await worker.kill('SIGKILL');
    worker = await newWorker();
    const result = await handle.result();
    const seen = await watch.stop();
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.ok(
      seen.peak <= 1,
      `still at most one node unavailable (saw ${seen.peak} in ${seen.samples} samples)`,
    );
    await assertRunsPlan(target);
    await healthyNodes(
      k,
      hosts.map((h) => h.name),
    );
  },
);
