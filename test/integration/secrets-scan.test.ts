// Secrets through a whole provision (host activities faked, everything else real): an inline SSH key, a
// registry password and the API token appear in no workflow history (raw or decrypted), no search attribute
// and no API response but the explicit kubeconfig download; the cluster's own private keys neither.
// On a lab host (real SSH, reconcile and image pulls, a worker process of its own), a provision through the API
// with an inline SSH key and the lab registry's credentials: the history as the SDK and the Temporal CLI return
// it (every event, every payload decrypted), the worker's log, the API's log (printed and audit file) and its
// responses hold no registry password, no SSH key and no body of any private key of the stored PKI bundle.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { format } from 'node:util';
import { store } from '../../activities/clusterState.ts';
import { registryAuth } from '../../activities/docker/containers.ts';
import type { CertBundle } from '../../model/pki/types.ts';
import { base64 } from '../../model/plan/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { k8sSkipReason, labClusterYaml, parseOrThrow } from '../support/cluster.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { historyTexts, KEY_MATERIAL } from '../support/history.ts';
import { currentLab, labDown, labHosts, labImages, labSsh, labUp, runCommand } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';
import { apiSuite, startApi, type TestApi } from './api-harness.ts';

const suite = apiSuite({ worker: true, activities: fakeHosts });
const name = `secrets-${Date.now().toString(36)}`;
const sshKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const registryPassword = `reg-${randomBytes(12).toString('hex')}`;

function spec(): string {
  const key = sshKey
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return [
    `cluster_name: ${name}`,
    'nodes:',
    '  - address: 10.0.0.1',
    '    name: n1',
    '    roles: [etcd, controlplane, worker]',
    '    ssh_key: |',
    key,
    'private_registries:',
    '  - url: registry.example:5000',
    '    user: puller',
    `    password: ${registryPassword}`,
    '    is_default: true',
    '',
  ].join('\n');
}

async function finished(api: TestApi, operationId: string, timeoutMs = 60_000): Promise<{ state: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reply = await api.request('GET', `/v1/operations/${operationId}`);
    if (reply.json?.state !== 'running') return reply.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`operation ${operationId} still running after ${timeoutMs / 1000} s`);
}

/** The API's read routes about a cluster and its operation. */
const apiRoutes = (cluster: string, operationId: string) => [
  '/v1/clusters',
  `/v1/clusters/${cluster}`,
  `/v1/clusters/${cluster}/operations`,
  `/v1/clusters/${cluster}/plan`,
  `/v1/operations/${operationId}`,
  `/v1/operations/${operationId}/events`,
];

function assertClean(text: string, where: string): void {
  const keyBody = sshKey.split('\n')[1]!;
  assert.ok(!text.includes(keyBody), `${where}: the SSH private key`);
  assert.ok(!text.includes(registryPassword), `${where}: the registry password`);
  assert.ok(!text.includes(suite.api.token), `${where}: the API token`);
  assert.doesNotMatch(text, KEY_MATERIAL, `${where}: key material`);
}

test(
  'no secret in workflow histories, search attributes or API responses',
  { timeout: 120_000 },
  async () => {
    const created = await suite.api.request('POST', '/v1/clusters', { body: spec() });
    assert.equal(created.status, 202, created.text);
    assert.equal((await finished(suite.api, created.json.operationId)).state, 'succeeded');

    const { raw, decoded } = await historyTexts(suite.t.client, `zke/${name}`);
    assert.match(decoded, /deploy certificates/, 'the decrypted history is readable');
    assertClean(raw, 'raw history');
    assertClean(decoded, 'decrypted history');
    const description = await suite.t.client.workflow.getHandle(`zke/${name}`).describe();
    assertClean(JSON.stringify(description.searchAttributes), 'search attributes');

    for (const path of apiRoutes(name, created.json.operationId)) {
      const reply = await suite.api.request('GET', path);
      assert.equal(reply.status, 200, `${path}: ${reply.text}`);
      assertClean(reply.text, path);
    }
    const kubeconfig = await suite.api.request('GET', `/v1/clusters/${name}/kubeconfig`);
    assert.equal(kubeconfig.status, 200);
    assert.match(
      kubeconfig.text,
      /client-key-data/,
      'the explicit kubeconfig download carries the admin key',
    );
  },
);

// ---- lab: the real activities ----

const skip = k8sSkipReason();
const labName = `secrets-lab-${Date.now().toString(36)}`;
const labQueue = `secrets-${randomUUID()}`;
const logDir = tempDir('zke-secrets');
const labRegistryPassword = `lab-${randomBytes(12).toString('hex')}`;
let labApi: TestApi;
let labWorker: WorkerProcess;

/** What this process printed while the lab test ran (the API's log among it). */
const printed: string[] = [];
const consoleMethods = { log: console.log, error: console.error, warn: console.warn };

before(async () => {
  if (skip) return;
  for (const [name, original] of Object.entries(consoleMethods))
    console[name as keyof typeof consoleMethods] = (...args: unknown[]) => {
      printed.push(format(...args));
      original(...args);
    };
  await labUp(1);
  await labImages();
  await suite.ready; // node may run this hook before the suite's own has finished
  labWorker = await spawnWorker(suite.t.address, labQueue, path.join(logDir, 'worker.log'));
  labApi = await startApi(suite.t, labQueue);
});
after(async () => {
  if (skip) return;
  Object.assign(console, consoleMethods);
  await labWorker?.kill('SIGTERM');
  await labApi?.close();
  await labDown();
});

/** The lab spec through the API: an inline SSH key (no key path), the lab registry with credentials. */
function labSpec(): Record<string, unknown> {
  const doc = labClusterYaml(
    labName,
    labHosts(),
    { zlab1: ['etcd', 'controlplane', 'worker'] },
    {
      extra: {
        private_registries: [
          { url: currentLab().registry, user: 'puller', password: labRegistryPassword, is_default: true },
        ],
      },
    },
  );
  const { ssh_key_path: _, ...option } = doc.option as Record<string, unknown>;
  const sshKey = fs.readFileSync(labSsh.keyPath, 'utf8');
  const nodes = (doc.nodes as Record<string, unknown>[]).map((n) => ({ ...n, ssh_key: sshKey }));
  return { ...doc, option, nodes };
}

/** The base64 lines of a PEM block (each 64-70 characters of the key itself). */
const pemBody = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));

/** Every secret of the lab provision, as the strings a leak would show. */
function labSecrets(spec: ClusterSpec): Record<string, string[]> {
  const bundle = store().read<CertBundle>(labName, 'pki') ?? {};
  const keys = Object.values(bundle).filter((c) => c.keyPem);
  assert.ok(keys.length >= 10, `the stored PKI bundle holds the cluster's keys (${keys.length})`);
  const pullAuth = registryAuth(spec.systemImages.kubernetes, spec.privateRegistries)['X-Registry-Auth'];
  assert.ok(pullAuth, "the pulls send the lab registry's credentials");
  return {
    'the registry password': [
      labRegistryPassword,
      pullAuth, // the pull's X-Registry-Auth
      base64(`puller:${labRegistryPassword}`), // the kubelet's config.json
    ],
    'the inline SSH key': pemBody(fs.readFileSync(labSsh.keyPath, 'utf8')),
    'the API token': [labApi.token],
    ...Object.fromEntries(
      keys.map((c) => [`the ${c.name} key`, [...pemBody(c.keyPem), kubeconfigForm(c.keyPem)]]),
    ),
  };
}

/** A 64-character piece of the key as a kubeconfig's client-key-data carries it (base64 of the PEM). */
function kubeconfigForm(keyPem: string): string {
  const encoded = Buffer.from(keyPem).toString('base64');
  const middle = Math.floor(encoded.length / 8) * 4;
  return encoded.slice(middle, middle + 64);
}

function assertNoSecret(text: string, where: string, secrets: Record<string, string[]>): void {
  const found = Object.entries(secrets).flatMap(([what, needles]) =>
    needles.some((n) => text.includes(n)) ? [what] : [],
  );
  assert.deepEqual(found, [], `${where}: ${found.join(', ')} found`);
}

/** The history as the SDK returns it, every event, bytes as text. */
async function sdkHistory(workflowId: string): Promise<string> {
  const history = await suite.t.client.workflow.getHandle(workflowId).fetchHistory();
  return JSON.stringify(history, (_key, value) =>
    value?.type === 'Buffer' && Array.isArray(value.data) ? Buffer.from(value.data).toString('utf8') : value,
  );
}

/** The history and the description as the Temporal CLI prints them (JSON). */
async function cliHistory(workflowId: string): Promise<string> {
  const cli = process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal');
  const run = (command: string) =>
    runCommand(cli, ['workflow', command, '-w', workflowId, '--address', suite.t.address, '-o', 'json']);
  const [show, describe] = [await run('show'), await run('describe')];
  assert.equal(show.code, 0, `temporal workflow show: ${show.stderr}`);
  assert.equal(describe.code, 0, `temporal workflow describe: ${describe.stderr}`);
  assert.match(
    show.stdout,
    /WORKFLOW_EXECUTION_COMPLETED|workflowExecutionCompleted/i,
    'the CLI shows it all',
  );
  return show.stdout + describe.stdout;
}

test(
  'lab provision: no secret in the history (SDK, CLI, decrypted), the logs or the API responses',
  { skip, timeout: 900_000 },
  async (ctx) => {
    const spec = labSpec();
    const created = await labApi.request('POST', '/v1/clusters', { body: spec });
    assert.equal(created.status, 202, created.text);
    assert.equal((await finished(labApi, created.json.operationId, 600_000)).state, 'succeeded');
    const secrets = labSecrets(parseOrThrow(spec));
    const needles = Object.values(secrets).flat().length;
    ctx.diagnostic(`${Object.keys(secrets).length} secrets as ${needles} strings`);
    const workflowId = `zke/${labName}`;

    const { raw, decoded } = await historyTexts(suite.t.client, workflowId);
    assert.match(decoded, /"hostname":"zlab1"/, 'the decrypted history is readable');
    assertNoSecret(raw, 'raw history payloads', secrets);
    assertNoSecret(decoded, 'decrypted history payloads', secrets);
    assertNoSecret(await sdkHistory(workflowId), 'history (SDK)', secrets);
    assertNoSecret(await cliHistory(workflowId), 'history (Temporal CLI)', secrets);

    const workerLog = fs.readFileSync(path.join(logDir, 'worker.log'), 'utf8');
    assert.match(workerLog, /zke worker polling/, 'the worker logged');
    assertNoSecret(workerLog, 'worker log', secrets);
    for (const route of apiRoutes(labName, created.json.operationId)) {
      const reply = await labApi.request('GET', route);
      assert.equal(reply.status, 200, `${route}: ${reply.text}`);
      assertNoSecret(reply.text, route, secrets);
    }
    // the needles match where a key is meant to be: the kubeconfig download carries the admin key
    const kubeconfig = await labApi.request('GET', `/v1/clusters/${labName}/kubeconfig`);
    assert.throws(() => assertNoSecret(kubeconfig.text, 'kubeconfig', secrets), /the kube-admin key/);
    // the API's log: what it printed (npm start's logs/api.log), and its audit file (the download is audited)
    const audit = fs.readFileSync(path.join(labApi.home, 'audit.log'), 'utf8');
    assert.match(audit, new RegExp(labName), 'the API audited the download');
    assertNoSecret(audit, 'API audit log', secrets);
    assert.match(printed.join('\n'), /audit: /, "the API's printed log was captured");
    assertNoSecret(printed.join('\n'), 'API log', secrets);
  },
);
