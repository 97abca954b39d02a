import './api-home.ts';
// What `zke plan` shows is what runs: the dry-run's steps are, in order, the steps the real provisionCluster
// workflow executes (read from its recorded progress), and each plane reconciles the hosts the dry-run names;
// once provisioned, the API's dry-run shows the steps the upgrade (a node added) then runs, the rollback's dry-run
// those of the rollback (the node removed again), and the rotation's dry-run the containers it restarts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Activities } from '../../activities/index.ts';
import { FileClusterStore } from '../../common/store.ts';
import type { PlanStep } from '../../model/plan/index.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { dryRunSteps, executedSteps, lineHosts, ranAs } from '../support/history.ts';
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
// A removed host: cordoned, deleted from the API and cleaned, each recorded.
const removed: string[] = [];
const cordonNode: Activities['cordonNode'] = async () => ({ cordoned: true });
const deleteNode: Activities['deleteNode'] = async () => ({ deleted: true });
const cleanHost: Activities['cleanHost'] = async ({ host }) => {
  removed.push(host);
  return { host, containersRemoved: [] };
};
// A rotation's restarts, in the order they ran.
const restarted: { host: string; containers: string[] }[] = [];
const restartContainers: Activities['restartContainers'] = async ({ host, containers }) => {
  restarted.push({ host, containers });
  return containers;
};
const suite = apiSuite({
  worker: true,
  activities: {
    ...fakeHosts,
    reconcileHost,
    snapshotEtcdHost,
    pendingChanges,
    uncordonNode,
    cordonNode,
    deleteNode,
    cleanHost,
    restartContainers,
  },
});
const dir = tempDir('zke-plan-steps');
const cluster = `steps-${Date.now().toString(36)}`;

after(async () => {
  await terminateCluster(suite.t, cluster);
  new FileClusterStore().remove(cluster);
  fs.rmSync(dir, { recursive: true, force: true });
});

const SPEC = `cluster_name: ${cluster}
nodes:
  - {name: n1, address: 10.0.0.1, roles: [etcd, controlplane]}
  - {name: n2, address: 10.0.0.2, roles: [etcd, worker]}
  - {name: n3, address: 10.0.0.3, roles: [worker]}
`;

/** The hosts a dry-run line names ("worker plane: rolling, … on n2, n3"); none when it names none. */
function stepHosts(lines: string[], name: string): string[] {
  const line = lines.find((l) => l.startsWith(`${name}: `));
  assert.ok(line, `the dry-run has a step "${name}": ${lines.join(' | ')}`);
  return lineHosts(line);
}

/** The steps the cluster's last workflow ran, with the hosts of each, from its history. */
const ran = () => executedSteps(suite.t.client, clusterWorkflowId(cluster));

async function finished(): Promise<OperationResult> {
  return suite.t.client.workflow.getHandle(clusterWorkflowId(cluster)).result();
}

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
    assert.deepEqual(await ran(), ranAs(planned), 'the steps and the hosts of each, from the history');
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
    assert.deepEqual(await ran(), dryRunSteps(dry.json), 'the steps and the hosts of each, from the history');
    const hostsOf = (name: string, planes: string) =>
      stepHosts(dry.json.steps, name).map((h) => `${planes}:${h}`);
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

test(
  'a rollback runs the steps its dry-run shows, and removes the host the dry-run names',
  { timeout: 90_000 },
  async () => {
    pending.length = 0;
    const dry = await suite.api.request('POST', `/v1/clusters/${cluster}/rollback/plan`, { body: {} });
    assert.equal(dry.status, 200, dry.text);
    assert.equal(dry.json.toRevision, 1, 'the revision before the applied one');
    assert.deepEqual(stepHosts(dry.json.steps, 'removed hosts'), ['n4']);

    const started = await suite.api.request('POST', `/v1/clusters/${cluster}/rollback`, { body: {} });
    assert.equal(started.status, 202, started.text);
    const result = await finished();
    assert.deepEqual(result.status.stepsDone, dry.json.phases);
    assert.deepEqual(await ran(), dryRunSteps(dry.json), 'the steps and the hosts of each, from the history');
    assert.deepEqual(removed, stepHosts(dry.json.steps, 'removed hosts'));
    const rolled = pending.filter((r) => r.startsWith('worker:')).map((r) => r.slice('worker:'.length));
    assert.deepEqual(rolled, stepHosts(dry.json.steps, 'worker plane'));
  },
);

test(
  'a certificate rotation restarts exactly the containers and hosts its dry-run names, in its steps',
  { timeout: 90_000 },
  async () => {
    const body = { services: ['kube-apiserver', 'kube-proxy'] };
    const dry = await suite.api.request('POST', `/v1/clusters/${cluster}/certificates/rotate/plan`, { body });
    assert.equal(dry.status, 200, dry.text);
    const env = { ZKE_API: suite.api.url, ZKE_TOKEN: suite.api.token };
    const cli = await runZke(
      ['cert', 'rotate', '--dry-run', '--services', 'kube-apiserver,kube-proxy', '-n', cluster],
      env,
    );
    assert.equal(cli.code, 0, cli.stderr);
    for (const line of dry.json.steps) assert.ok(cli.stdout.includes(line), `zke prints "${line}"`);
    assert.ok(
      dry.json.certificates.includes('kube-apiserver') && dry.json.certificates.includes('kube-proxy'),
    );
    assert.deepEqual(stepHosts(dry.json.steps, 'restart etcd'), [], 'no etcd certificate changes');

    const started = await suite.api.request('POST', `/v1/clusters/${cluster}/certificates/rotate`, { body });
    assert.equal(started.status, 202, started.text);
    const result = await finished();
    assert.deepEqual(result.status.stepsDone, dry.json.phases);
    assert.deepEqual(await ran(), dryRunSteps(dry.json), 'the steps and the hosts of each, from the history');
    const hostsRestarting = (container: string) =>
      restarted.filter((r) => r.containers.includes(container)).map((r) => r.host);
    assert.deepEqual(hostsRestarting('kube-apiserver'), stepHosts(dry.json.steps, 'restart control plane'));
    assert.deepEqual(hostsRestarting('kube-proxy'), stepHosts(dry.json.steps, 'restart workers'));
    assert.deepEqual(stepHosts(dry.json.steps, 'restart workers'), ['n1', 'n2', 'n3']);
    assert.equal(restarted.length, 4, 'one restart per host and plane, nothing else');
  },
);
