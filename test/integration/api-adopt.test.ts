// zke adopt through the real API and workflows, hosts faked: a cluster zke provisioned, exported and then
// forgotten is adopted back from its state file. The comparison changes nothing (the cluster stays unmanaged);
// taking over keeps the state file's CA, certificates and encryption key, and makes the cluster zke's. The CLI
// runs both; bad state files, a spec of another cluster and a cluster zke manages already are refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Activities } from '../../activities/index.ts';
import { ClusterLocks } from '../../api/service/clusterLocks.ts';
import { Clusters } from '../../api/service/clusters.ts';
import { Revisions } from '../../api/service/revisions.ts';
import { SpecSubmissions } from '../../api/service/submit.ts';
import { EXIT } from '../../cli/command.ts';
import { ENCRYPTION_KEYS_RECORD } from '../../common/stateExport.ts';
import { FileClusterStore } from '../../common/store.ts';
import { parseRkeState } from '../../model/rkestate/index.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { runZke } from '../support/zkeCli.ts';
import { apiSuite, type TestApi, unreachableSpec } from './api-harness.ts';
import { racedOperations } from './racedOperations.ts';

/** Hosts whose containers are all as planned: what a cluster zke built and forgot looks like to a comparison. */
const asPlanned: Partial<Activities> = {
  pendingChanges: async () => ({ changes: [], restarts: [] }),
  removeUnplannedContainers: async () => [],
  waitNodeReady: async () => ({ ready: true }),
  uncordonNode: async () => ({ uncordoned: true }),
};
const suite = apiSuite({ worker: true, activities: { ...fakeHosts, ...asPlanned } });
const cluster = `adopt-${Date.now().toString(36)}`;
const dir = tempDir('zke-adopt');
const specText = `${unreachableSpec(cluster)}services:\n  kube-api:\n    secrets_encryption_config: {enabled: true}\n`;
let state: Record<string, unknown>;

async function ended(
  api: TestApi,
  operationId: string,
): Promise<{ state: string; progress: { events: string[] } }> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const op = (await api.request('GET', `/v1/operations/${operationId}`)).json;
    if (op.state !== 'running') return op;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`${operationId} did not finish within 60 s`);
}

const adopt = (body: object, name = cluster) =>
  suite.api.request('POST', `/v1/clusters/${name}/adopt`, { body: JSON.stringify(body) });
const specObject = () => ({
  cluster_name: cluster,
  nodes: [
    {
      address: '127.0.0.1',
      name: 'n1',
      roles: ['etcd', 'controlplane', 'worker'],
      port: 1,
      ssh_key_path: '~/.ssh/id_rsa',
    },
  ],
  services: { 'kube-api': { secrets_encryption_config: { enabled: true } } },
});

/** Provisioned (hosts faked), exported, then forgotten by zke: once, in the first test that needs it (the
 *  suite's API starts in its own before hook). */
let prepared: Promise<void> | undefined;
const forgottenCluster = () => {
  prepared ??= (async () => {
    const created = await suite.api.request('POST', '/v1/clusters', { body: specText });
    assert.equal(created.status, 202, created.text);
    assert.equal((await ended(suite.api, created.json.operationId)).state, 'succeeded');
    state = (await suite.api.request('GET', `/v1/clusters/${cluster}/state/export`)).json;
    suite.api.store.remove(cluster); // zke's record is lost; the cluster runs on
  })();
  return prepared;
};
after(() => {
  suite.api?.store.remove(cluster);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('adopt refuses a state file that is not one, a spec of another cluster, and names what is wrong', async () => {
  await forgottenCluster();
  const bad = await adopt({ spec: specObject(), state: { currentState: {} } });
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.text, /currentState\./);
  const other = await adopt({ spec: { ...specObject(), cluster_name: 'other' }, state });
  assert.equal(other.status, 422);
  assert.match(other.text, /is \\"other\\" but the URL names cluster/);
  const aescbc = structuredClone(state) as { currentState: { encryptionConfig: string } };
  aescbc.currentState.encryptionConfig = aescbc.currentState.encryptionConfig.replace('secretbox', 'aescbc');
  const refused = await adopt({ spec: specObject(), state: aescbc });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /encrypts Secrets with aescbc, and zke writes secretbox/);
  assert.deepEqual(suite.api.store.keys(cluster), [], 'a refused adoption leaves no record');
});

test('the comparison lists every host and changes nothing; taking over keeps the CA and the keys', async () => {
  await forgottenCluster();
  const compared = await adopt({ spec: specObject(), state });
  assert.equal(compared.status, 202, compared.text);
  assert.equal(compared.json.operation, 'adopt');
  const first = await ended(suite.api, compared.json.operationId);
  assert.equal(first.state, 'succeeded');
  assert.ok(
    first.progress.events.includes('n1: as planned, nothing to replace'),
    first.progress.events.join('\n'),
  );
  assert.ok(first.progress.events.includes('adopt: every container is as zke plans it, nothing to replace'));
  const detail = (await suite.api.request('GET', `/v1/clusters/${cluster}`)).json;
  assert.equal(detail.revision, undefined, "a comparison does not make the cluster zke's");
  assert.deepEqual(
    suite.api.store.read(cluster, 'pki'),
    parseRkeState(state).bundle,
    "the state file's certificates",
  );

  const taken = await adopt({ spec: specObject(), state, apply: true });
  assert.equal(taken.status, 202, taken.text);
  const second = await ended(suite.api, taken.json.operationId);
  assert.equal(second.state, 'succeeded', second.progress.events.join('\n'));
  assert.equal((await suite.api.request('GET', `/v1/clusters/${cluster}`)).json.revision, 1);
  assert.deepEqual(
    suite.api.store.read(cluster, 'pki'),
    parseRkeState(state).bundle,
    'no certificate re-issued',
  );
  const { keys } = suite.api.store.read<{ keys: { secret: string }[] }>(cluster, ENCRYPTION_KEYS_RECORD)!;
  assert.ok(parseRkeState(state).encryptionConfig?.includes(keys[0]!.secret), "the cluster's own key");
  const again = await adopt({ spec: specObject(), state });
  assert.equal(again.status, 409);
  assert.match(again.text, /is managed by zke already: change it with zke up/);
  const audited = suite.api.audit.read().filter((e) => e.cluster === cluster && e.action === 'state.adopt');
  assert.deepEqual(
    audited.slice(-3).map((e) => e.outcome?.replace(/operation .*/, 'operation')),
    ['accepted: operation', 'accepted: operation', 'refused (409)'],
    'every adoption request is audit-logged with its outcome',
  );
});

test('an adoption whose operation does not start leaves no revision, certificates or keys', async () => {
  await forgottenCluster();
  const store = new FileClusterStore(path.join(dir, 'raced'));
  const revisions = new Revisions(store);
  const raced = racedOperations(cluster);
  const submissions = new SpecSubmissions(
    new Clusters(store, revisions, raced),
    revisions,
    raced,
    new ClusterLocks(),
    store,
  );
  const request = { spec: specObject(), state, apply: false };
  await assert.rejects(submissions.adopt(cluster, request, 'test'), /another operation was just started/);
  assert.deepEqual(store.keys(cluster), []);
});

test('zke adopt compares without --yes and says how to take over; cluster.rkestate beside the file is read', async () => {
  await forgottenCluster();
  suite.api.store.remove(cluster);
  const file = path.join(dir, 'cluster.yml');
  fs.writeFileSync(file, specText);
  fs.writeFileSync(path.join(dir, 'cluster.rkestate'), JSON.stringify(state), { mode: 0o600 });
  const env = { ZKE_API: suite.api.url, ZKE_TOKEN: suite.api.token };
  const run = await runZke(['adopt', '-c', file], env);
  assert.equal(run.code, EXIT.ok, run.stdout + run.stderr);
  assert.match(run.stdout + run.stderr, /n1: as planned, nothing to replace/);
  assert.match(run.stdout + run.stderr, /compared only, nothing changed: run again with --yes/);
  const yes = await runZke(['adopt', '-c', file, '--yes'], env);
  assert.equal(yes.code, EXIT.ok, yes.stdout + yes.stderr);
  assert.match(
    yes.stdout + yes.stderr,
    /the cluster is zke's now; wrote the admin kubeconfig to .*kube_config_cluster\.yml/,
  );
  const missing = await runZke(['adopt', '-c', file, '--state', path.join(dir, 'nope')], env);
  assert.equal(missing.code, EXIT.usage);
  assert.match(missing.stderr, /cannot read the state file .*nope/);
});
