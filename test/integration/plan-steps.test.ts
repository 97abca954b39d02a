import './api-home.ts';
// What `zke plan` shows is what runs: the dry-run's steps are, in order, the steps the real provisionCluster
// workflow executes (read from its recorded progress), and each plane reconciles the hosts the dry-run names;
// once provisioned, the API's dry-run shows the steps the upgrade then runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Activities } from '../../activities/index.ts';
import { ClusterStore } from '../../common/store.ts';
import type { PlanStep } from '../../model/plan/index.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { runZke } from '../support/zkeCli.ts';
import { apiSuite, terminateCluster } from './api-harness.ts';

const reconciled: string[] = [];
const reconcileHost: Activities['reconcileHost'] = async (input) => {
  reconciled.push(`${input.plane}:${input.host}`);
  return fakeHosts.reconcileHost(input);
};
// An upgrade's host activities, instant: an empty snapshot, no pending change on any host.
const snapshotEtcdHost: Activities['snapshotEtcdHost'] = async ({ host, name }) => ({
  host,
  path: `/opt/rke/etcd-snapshots/${name}`,
  size: 0,
  sha256: '',
});
const pending: string[] = [];
const pendingChanges: Activities['pendingChanges'] = async ({ host, planes }) => {
  pending.push(`${planes.join('+')}:${host}`);
  return { changes: [], restarts: [] };
};
const uncordonNode: Activities['uncordonNode'] = async () => ({ uncordoned: false });
const suite = apiSuite({
  worker: true,
  activities: { ...fakeHosts, reconcileHost, snapshotEtcdHost, pendingChanges, uncordonNode },
});
const dir = tempDir('zke-plan-steps');
const cluster = `steps-${Date.now().toString(36)}`;

after(async () => {
  await terminateCluster(suite.t, cluster);
  new ClusterStore().remove(cluster);
  fs.rmSync(dir, { recursive: true, force: true });
});

const SPEC = `cluster_name: ${cluster}
nodes:
  - {name: n1, address: 10.0.0.1, roles: [etcd, controlplane]}
  - {name: n2, address: 10.0.0.2, roles: [etcd, worker]}
  - {name: n3, address: 10.0.0.3, roles: [worker]}
`;

async function dryRun(file: string): Promise<PlanStep[]> {
  const run = await runZke(['plan', '-c', file, '--json'], {});
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout).plan.steps;
}

test(
  'the provisioning workflow runs exactly the steps `zke plan` shows, in order',
  { timeout: 90_000 },
  async () => {
    const file = path.join(dir, 'cluster.yml');
    fs.writeFileSync(file, SPEC);
    const planned = await dryRun(file);

    const created = await suite.api.request('POST', '/v1/clusters', { body: SPEC });
    assert.equal(created.status, 202, created.text);
    const result: OperationResult = await suite.t.client.workflow
      .getHandle(clusterWorkflowId(cluster))
      .result();

    assert.deepEqual(
      result.status.stepsDone,
      planned.map((s) => s.name),
    );
    const hostsOf = (name: string, plane: string) =>
      planned.find((s) => s.name === name)!.hosts.map((h) => `${plane}:${h}`);
    const byPlane = (plane: string) => reconciled.filter((r) => r.startsWith(`${plane}:`));
    assert.deepEqual(byPlane('etcd'), hostsOf('etcd plane', 'etcd'), 'etcd one at a time, in plan order');
    assert.deepEqual(byPlane('controlplane').sort(), hostsOf('control plane', 'controlplane').sort());
    assert.deepEqual(byPlane('worker').sort(), hostsOf('worker plane', 'worker').sort());
  },
);

test(
  'once provisioned, the dry-run shows the upgrade steps that `zke up` then runs',
  { timeout: 90_000 },
  async () => {
    const changed = `${SPEC}  - {name: n4, address: 10.0.0.4, roles: [worker]}\n`;
    const dry = await suite.api.request('POST', `/v1/clusters/${cluster}/plan`, { body: changed });
    assert.equal(dry.status, 200, dry.text);
    assert.ok(
      dry.json.steps.includes(
        'worker plane: n2 one at a time, then rolling, at most 1 unavailable (10%) on n2, n3, n4',
      ),
    );

    const submitted = await suite.api.request('PUT', `/v1/clusters/${cluster}`, { body: changed });
    assert.equal(submitted.status, 202, submitted.text);
    assert.equal(submitted.json.operation, 'upgrade');
    const result: OperationResult = await suite.t.client.workflow
      .getHandle(clusterWorkflowId(cluster))
      .result();
    assert.deepEqual(result.status.stepsDone, dry.json.phases);
    const hostsOf = (name: string, planes: string) =>
      /on (.*)$/
        .exec(dry.json.steps.find((line: string) => line.startsWith(`${name}: `)))![1]!
        .split(', ')
        .map((h) => `${planes}:${h}`);
    const byPlanes = (planes: string) => pending.filter((r) => r.startsWith(`${planes}:`));
    assert.deepEqual(byPlanes('etcd'), hostsOf('etcd plane', 'etcd'));
    assert.deepEqual(byPlanes('controlplane+worker'), hostsOf('control plane', 'controlplane+worker'));
    assert.deepEqual(
      byPlanes('worker'),
      hostsOf('worker plane', 'worker'),
      'etcd hosts first, then the others',
    );
  },
);
