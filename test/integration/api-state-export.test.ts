// zke state export: GET /v1/clusters/{name}/state/export and `zke state export` against the real API, on a
// cluster record written as the workflows write it (no worker, no lab), and after a real provision workflow
// (host activities faked): RKE's cluster.rkestate, read back with the parser zke adopt uses, mode 0600, audited.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { EXIT } from '../../cli/command.ts';
import { readRevisionSpec } from '../../common/revisions.ts';
import { ENCRYPTION_KEYS_RECORD } from '../../common/stateExport.ts';
import { type CertBundle, generateBundle, pkiInputOf } from '../../model/pki/index.ts';
import { parseRkeState } from '../../model/rkestate/index.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { runZke } from '../support/zkeCli.ts';
import { apiSuite, type TestApi, terminateCluster, unreachableSpec } from './api-harness.ts';

/** The real workflows and local activities (certificates, encryption key); hosts faked ("slow" never answers). */
const suite = apiSuite({ worker: true, activities: fakeHosts });
const dir = tempDir('zke-state-export');
const cluster = `export-${Date.now().toString(36)}`;
const KEY = { name: 'zke-1', secret: Buffer.alloc(32, 7).toString('base64') };
let bundle: CertBundle;

/** The cluster's revision 1, submitted once (the suite's API starts in its own before hook). */
let submitted: Promise<void> | undefined;
const submitCluster = () => {
  submitted ??= submit();
  return submitted;
};

/** Its host "slow" holds the provision in its first step until it is stopped: the record stays as written here. */
async function submit(): Promise<void> {
  const nodes = unreachableSpec(cluster).replace('name: n1', 'name: slow');
  const spec = `${nodes}services:\n  kube-api:\n    secrets_encryption_config: {enabled: true}\n`;
  const created = await suite.api.request('POST', '/v1/clusters', { body: spec });
  assert.equal(created.status, 202, created.text);
  await terminateCluster(suite.t, cluster);
}

after(async () => {
  suite.api.store.remove(cluster);
  suite.api.store.remove(`${cluster}-up`);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What a successful provision leaves in the store: the applied revision, certificates, encryption key. */
async function markProvisioned(): Promise<void> {
  await submitCluster();
  const spec = readRevisionSpec(suite.api.store, cluster, 1)!;
  bundle = (await generateBundle(pkiInputOf(spec, new Date().toISOString()))).bundle;
  suite.api.store.write(cluster, 'pki', bundle);
  suite.api.store.write(cluster, ENCRYPTION_KEYS_RECORD, { keys: [KEY] });
  suite.api.store.write(cluster, 'current', { revision: 1, phase: 'running' });
}

const exportPath = `/v1/clusters/${cluster}/state/export`;

test('the state is 404 until provisioned, then RKE state JSON with every key, not cached, audited', async () => {
  await submitCluster();
  const early = await suite.api.request('GET', exportPath);
  assert.equal(early.status, 404);
  assert.match(early.text, /has no state to export yet/);
  await markProvisioned();
  const reply = await suite.api.request('GET', exportPath);
  assert.equal(reply.status, 200, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(reply.headers.get('cache-control'), 'no-store');
  const adopted = parseRkeState(reply.json);
  assert.deepEqual(adopted.bundle, bundle);
  assert.match(adopted.encryptionConfig ?? '', new RegExp(KEY.secret.replaceAll('+', '\\+')));
  assert.equal(reply.json.desiredState.rkeConfig.clusterName, cluster);
  assert.deepEqual(reply.json.currentState.rkeConfig.nodes[0].role, ['etcd', 'controlplane', 'worker']);
  const events = suite.api.audit.read().filter((e) => e.cluster === cluster && e.action === 'state.export');
  assert.equal(events.length, 1, 'the 404 is not an export; the 200 is');
  assert.equal(events[0].token, 'test');
});

test('zke state export writes cluster.rkestate beside the cluster file, mode 0600, and says so', async () => {
  if (!bundle) await markProvisioned();
  const file = path.join(dir, 'cluster.yml');
  fs.writeFileSync(file, unreachableSpec(cluster));
  const env = { ZKE_API: suite.api.url, ZKE_TOKEN: suite.api.token };
  const run = await runZke(['state', 'export', '-c', file], env);
  assert.equal(run.code, EXIT.ok, run.stdout + run.stderr);
  const written = path.join(dir, 'cluster.rkestate');
  assert.match(run.stderr, new RegExp(`wrote the state of ${cluster} to ${written} \\(mode 0600: it holds`));
  assert.equal(fs.statSync(written).mode & 0o777, 0o600);
  assert.deepEqual(parseRkeState(JSON.parse(fs.readFileSync(written, 'utf8'))).bundle, bundle);

  const other = path.join(dir, 'elsewhere.json');
  fs.writeFileSync(other, '{}', { mode: 0o644 });
  const named = await runZke(['state', 'export', '-n', cluster, '-o', other], env);
  assert.equal(named.code, EXIT.ok, named.stderr);
  assert.equal(fs.statSync(other).mode & 0o777, 0o600, 'an existing file is made private too');
  assert.equal(fs.readFileSync(other, 'utf8'), fs.readFileSync(written, 'utf8'));

  const wrong = await runZke(['state', 'import', '-n', cluster], env);
  assert.equal(wrong.code, EXIT.usage);
});

async function succeeded(api: TestApi, operationId: string): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const { state } = (await api.request('GET', `/v1/operations/${operationId}`)).json;
    if (state === 'succeeded') return;
    assert.equal(state, 'running', `the provision ended ${state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail('the provision did not finish within 60 s');
}

test('after a provision, the export holds the certificates and the encryption key the workflow stored', async () => {
  const api = suite.api;
  const name = `${cluster}-up`;
  const spec = `${unreachableSpec(name)}services:\n  kube-api:\n    secrets_encryption_config: {enabled: true}\n`;
  const created = await api.request('POST', '/v1/clusters', { body: spec });
  assert.equal(created.status, 202, created.text);
  await succeeded(api, created.json.operationId);
  const reply = await api.request('GET', `/v1/clusters/${name}/state/export`);
  assert.equal(reply.status, 200, reply.text);
  const adopted = parseRkeState(reply.json);
  assert.deepEqual(adopted.bundle, api.store.read(name, 'pki'));
  const [key] = api.store.read<{ keys: { secret: string }[] }>(name, ENCRYPTION_KEYS_RECORD)!.keys;
  assert.ok(adopted.encryptionConfig?.includes(key!.secret), 'the generated secrets encryption key');
  assert.equal(reply.json.currentState.rkeConfig.nodes[0].hostnameOverride, 'n1');
});
