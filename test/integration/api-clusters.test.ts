// Cluster endpoints against a task queue no worker polls: workflows start and stay running, which is
// enough to see what the API starts, the per-cluster lock (409) and what it stores.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { readRevisionSpec } from '../../common/revisions.ts';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS } from '../../model/versions.ts';
import { apiSuite, terminateCluster, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();
const used: string[] = [];

afterEach(async () => {
  for (const cluster of used.splice(0)) await terminateCluster(suite.t, cluster);
});

function clusterName(base: string): string {
  const name = `${base}-${Date.now().toString(36)}`;
  used.push(name);
  return name;
}

async function workflowType(operationId: string): Promise<string> {
  const reply = await suite.api.request('GET', `/v1/operations/${operationId}`);
  assert.equal(reply.status, 200);
  return reply.json.workflowType;
}

const otherVersion = KUBERNETES_VERSIONS.map((v) => v.version).find((v) => v !== DEFAULT_KUBERNETES_VERSION);

/** What a successful provision leaves in the store (written by the workflows in production). */
function markProvisioned(name: string, revision = 1): void {
  suite.api.store.write(name, 'current', {
    revision,
    phase: 'running',
    lastOperation: {
      kind: 'provision',
      revision,
      phase: 'succeeded',
      summary: 'provision succeeded',
      finishedAt: new Date().toISOString(),
    },
  });
}

test('POST creates revision 1, starts provisionCluster and answers 202 with the operation', async () => {
  const name = clusterName('create');
  const reply = await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  assert.equal(reply.status, 202);
  assert.equal(reply.json.cluster, name);
  assert.equal(reply.json.operation, 'provision');
  assert.equal(reply.json.revision, 1);
  assert.match(reply.json.operationId, new RegExp(`^${name}\\.[0-9a-f-]{36}$`));
  assert.equal(reply.headers.get('location'), `/v1/operations/${reply.json.operationId}`);
  assert.equal(reply.json.events, `/v1/operations/${reply.json.operationId}/events`);

  const operation = await suite.api.request('GET', reply.headers.get('location') ?? '');
  assert.equal(operation.json.state, 'running');
  assert.equal(operation.json.workflowType, 'provisionCluster');
  assert.equal(operation.json.operation, 'provision');

  const list = await suite.api.request('GET', '/v1/clusters');
  const summary = list.json.clusters.find((c: { name: string }) => c.name === name);
  assert.equal(summary.phase, 'pending');
  assert.equal(summary.latestRevision, 1);
  assert.equal(summary.revision, undefined);
  assert.equal(summary.runningOperation.id, reply.json.operationId);

  const detail = await suite.api.request('GET', `/v1/clusters/${name}`);
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.json.nodes, [
    { name: 'n1', address: '127.0.0.1', roles: ['etcd', 'controlplane', 'worker'] },
  ]);
  assert.equal(detail.json.runningOperation.operation, 'provision');

  const operations = await suite.api.request('GET', `/v1/clusters/${name}/operations`);
  assert.deepEqual(
    operations.json.operations.map((o: { id: string }) => o.id),
    [reply.json.operationId],
  );
});

test('a second operation while one runs is 409 naming the running one; a taken name is 409', async () => {
  const name = clusterName('busy');
  const first = await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  assert.equal(first.status, 202);
  for (const [method, path, body] of [
    ['DELETE', `/v1/clusters/${name}`, undefined],
    ['PUT', `/v1/clusters/${name}`, unreachableSpec(name)],
  ] as const) {
    const reply = await suite.api.request(method, path, { body });
    assert.equal(reply.status, 409, `${method} ${path}`);
    assert.equal(reply.json.operationId, first.json.operationId);
    assert.equal(
      reply.json.detail,
      `cluster ${name} is busy: provision is running (operation id ${first.json.operationId})`,
    );
  }
  const again = await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  assert.equal(again.status, 409);
  assert.match(again.json.detail, /already exists/);
  assert.deepEqual(suite.api.store.keys(name, 'revision/'), ['revision/1'], 'refused requests store nothing');
});

test('PUT: the same spec reuses its revision, a changed one adds a revision; provision until provisioned, then upgrade', async () => {
  const name = clusterName('put');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  await terminateCluster(suite.t, name);

  const same = await suite.api.request('PUT', `/v1/clusters/${name}`, { body: unreachableSpec(name) });
  assert.equal(same.status, 202);
  assert.deepEqual([same.json.operation, same.json.revision], ['provision', 1]);
  await terminateCluster(suite.t, name);

  markProvisioned(name);
  const changed = await suite.api.request('PUT', `/v1/clusters/${name}`, {
    body: `${unreachableSpec(name)}kubernetes_version: ${otherVersion}\n`,
  });
  assert.equal(changed.status, 202, changed.text);
  assert.deepEqual([changed.json.operation, changed.json.revision], ['upgrade', 2]);
  assert.equal(await workflowType(changed.json.operationId), 'upgradeCluster');

  const revisions = await suite.api.request('GET', `/v1/clusters/${name}/revisions`);
  assert.deepEqual(
    revisions.json.revisions.map((r: { number: number; applied: boolean }) => [r.number, r.applied]),
    [
      [1, true],
      [2, false],
    ],
  );
  assert.match(revisions.json.revisions[1].source, /^PUT .* by token test \(scope admin\)$/);
});

test('PUT with a cluster_name that differs from the URL is 422 on cluster_name', async () => {
  const name = clusterName('mismatch');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  const reply = await suite.api.request('PUT', `/v1/clusters/${name}`, { body: unreachableSpec('other') });
  assert.equal(reply.status, 422);
  assert.deepEqual(
    reply.json.errors.map((e: { path: string }) => e.path),
    ['cluster_name'],
  );
});

test('secrets in a spec are stored apart and never returned', async () => {
  const name = clusterName('secret');
  const key =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----';
  const spec = `${unreachableSpec(name)}option:\n  ssh_key: |\n${key
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;
  const reply = await suite.api.request('POST', '/v1/clusters', { body: spec });
  assert.equal(reply.status, 202, reply.text);
  for (const path of [
    `/v1/clusters/${name}`,
    `/v1/clusters/${name}/revisions`,
    '/v1/clusters',
    `/v1/operations/${reply.json.operationId}`,
  ]) {
    const body = (await suite.api.request('GET', path)).text;
    assert.ok(!body.includes('c2VjcmV0'), `${path} leaks the key`);
  }
  const stored = suite.api.store.read<{ spec: { nodes: { ssh: { key?: { value: string } } }[] } }>(
    name,
    'revision/1',
  );
  assert.ok(stored && !JSON.stringify(stored).includes('c2VjcmV0'), 'the revision is redacted');
  const full = readRevisionSpec(suite.api.store, name, 1);
  assert.equal(full?.nodes[0].ssh.key?.value.trim(), key, 'the secret is restored for the workflows');
});

test('concurrent operations on one cluster: exactly one starts, every other request is 409', async () => {
  const name = clusterName('race');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  await terminateCluster(suite.t, name);
  markProvisioned(name);
  const replies = await Promise.all([
    ...Array.from({ length: 4 }, (_, i) =>
      suite.api.request('POST', `/v1/clusters/${name}/snapshots`, { body: { name: `race-${i}` } }),
    ),
    suite.api.request('POST', `/v1/clusters/${name}/upgrade`),
    suite.api.request('POST', `/v1/clusters/${name}/certificates/rotate`, { body: {} }),
  ]);
  const started = replies.filter((r) => r.status === 202);
  assert.equal(started.length, 1, replies.map((r) => `${r.status} ${r.text}`).join('\n'));
  for (const r of replies.filter((r) => r.status !== 202)) {
    assert.equal(r.status, 409, r.text);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(r.json.operationId, started[0]!.json.operationId);
  }
  const operations = await suite.api.request('GET', `/v1/clusters/${name}/operations`);
  const running = operations.json.operations.filter((o: { state: string }) => o.state === 'running');
  assert.deepEqual(
    running.map((o: { id: string }) => o.id),
    [started[0]!.json.operationId],
  );
});

test('lifecycle operations start their workflows on a provisioned cluster, one at a time', async () => {
  const name = clusterName('life');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  assert.equal(
    (await suite.api.request('POST', `/v1/clusters/${name}/upgrade`)).status,
    409,
    'not provisioned yet',
  );
  await terminateCluster(suite.t, name);
  markProvisioned(name);
  suite.api.store.write(name, 'snapshots', [{ name: 'snap-1', createdAt: '2026-01-01T00:00:00Z' }]);

  const cases: [string, object | undefined, string][] = [
    ['/upgrade', undefined, 'upgradeCluster'],
    ['/rollback', { toRevision: 1 }, 'rollbackCluster'],
    ['/certificates/rotate', { services: ['kubelet', 'etcd'] }, 'rotateCertificates'],
    ['/certificates/rotate', { ca: true }, 'rotateCertificates'],
    ['/snapshots', { name: 'before-upgrade' }, 'snapshotEtcd'],
    ['/snapshots/snap-1/restore', undefined, 'restoreEtcd'],
    ['', undefined, 'removeCluster'],
  ];
  for (const [suffix, body, type] of cases) {
    const method = suffix === '' ? 'DELETE' : 'POST';
    const reply = await suite.api.request(method, `/v1/clusters/${name}${suffix}`, { body });
    assert.equal(reply.status, 202, `${suffix}: ${reply.text}`);
    assert.equal(await workflowType(reply.json.operationId), type);
    const busy = await suite.api.request('POST', `/v1/clusters/${name}/snapshots`);
    assert.equal(busy.status, 409);
    await terminateCluster(suite.t, name);
  }
  const snapshots = await suite.api.request('GET', `/v1/clusters/${name}/snapshots`);
  assert.deepEqual(
    snapshots.json.snapshots.map((s: { name: string }) => s.name),
    ['snap-1'],
  );
});

test('lifecycle requests naming what does not exist are refused', async () => {
  const name = clusterName('refuse');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  await terminateCluster(suite.t, name);
  markProvisioned(name);
  const rollback = await suite.api.request('POST', `/v1/clusters/${name}/rollback`, {
    body: { toRevision: 9 },
  });
  assert.equal(rollback.status, 422);
  assert.equal(rollback.json.errors[0].path, 'toRevision');
  const rotate = await suite.api.request('POST', `/v1/clusters/${name}/certificates/rotate`, {
    body: { services: ['kubelet', 'dns'] },
  });
  assert.equal(rotate.status, 422);
  assert.deepEqual(
    rotate.json.errors.map((e: { path: string }) => e.path),
    ['services[1]'],
  );
  assert.equal((await suite.api.request('POST', `/v1/clusters/${name}/snapshots/nope/restore`)).status, 404);
});

test('with s3backupconfig a restore of a name zke has no record of starts, for the workflow to look on S3', async () => {
  const name = clusterName('s3');
  const s3 = [
    'services:',
    '  etcd:',
    '    backup_config:',
    '      s3backupconfig: {endpoint: s3.example.net, bucket_name: b, access_key: a, secret_key: s3cr3t}',
  ].join('\n');
  await suite.api.request('POST', '/v1/clusters', { body: `${unreachableSpec(name)}${s3}\n` });
  await terminateCluster(suite.t, name);
  markProvisioned(name);
  const reply = await suite.api.request('POST', `/v1/clusters/${name}/snapshots/only-on-s3/restore`);
  assert.equal(reply.status, 202, reply.text);
  assert.equal(await workflowType(reply.json.operationId), 'restoreEtcd');
  await terminateCluster(suite.t, name);
  const revision = JSON.stringify(suite.api.store.read(name, 'revision/1'));
  assert.match(revision, /s3\.example\.net/);
  assert.doesNotMatch(revision, /s3cr3t/, 'the secret key is kept apart from the revision');
  assert.match(JSON.stringify(suite.api.store.read(name, 'secrets/1')), /s3cr3t/);
});

test('the kubeconfig is 404 until provisioned, then served as YAML and every read is audited', async () => {
  const name = clusterName('kube');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  assert.equal((await suite.api.request('GET', `/v1/clusters/${name}/kubeconfig`)).status, 404);
  suite.api.store.write(name, 'kubeconfig', { yaml: 'apiVersion: v1\nkind: Config\n' });
  const reply = await suite.api.request('GET', `/v1/clusters/${name}/kubeconfig`);
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/yaml/);
  assert.equal(reply.text, 'apiVersion: v1\nkind: Config\n');
  const events = suite.api.audit.read().filter((e) => e.cluster === name);
  assert.equal(events.length, 1);
  assert.equal(events[0].action, 'kubeconfig.read');
  assert.equal(events[0].token, 'test');
  assert.ok(Date.parse(events[0].at) > 0);
});

test('cancelling an operation that is not running is 409; an unknown one 404', async () => {
  const name = clusterName('cancel');
  const started = await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  await terminateCluster(suite.t, name);
  const reply = await suite.api.request('POST', `/v1/operations/${started.json.operationId}/cancel`);
  assert.equal(reply.status, 409);
  const done = await suite.api.request('GET', `/v1/operations/${started.json.operationId}`);
  assert.equal(done.json.state, 'terminated');
  assert.equal(
    (await suite.api.request('POST', `/v1/operations/${name}.00000000-0000-4000-8000-000000000000/cancel`))
      .status,
    404,
  );
});

test('plan: everything is created before the first provision; a posted spec shows replacements with reasons and stores nothing', async () => {
  const name = clusterName('plan');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  await terminateCluster(suite.t, name);

  const first = await suite.api.request('GET', `/v1/clusters/${name}/plan`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual([first.json.fromRevision, first.json.toRevision], [undefined, 1]);
  assert.deepEqual(
    first.json.hosts.map((h: { host: string }) => h.host),
    ['n1'],
  );
  const actions = first.json.hosts[0].containers.map((c: { action: string }) => c.action);
  assert.ok(actions.length > 3 && actions.every((a: string) => a === 'create'), `actions: ${actions}`);
  assert.equal(first.json.summary.create, actions.length);

  markProvisioned(name);
  const same = await suite.api.request('POST', `/v1/clusters/${name}/plan`, { body: unreachableSpec(name) });
  assert.deepEqual([same.json.summary.create, same.json.summary.replace, same.json.fromRevision], [0, 0, 1]);

  const upgraded = `${unreachableSpec(name)}kubernetes_version: ${otherVersion}\n`;
  const plan = await suite.api.request('POST', `/v1/clusters/${name}/plan`, { body: upgraded });
  assert.equal(plan.status, 200, plan.text);
  assert.deepEqual(plan.json.kubernetesVersion, { from: first.json.kubernetesVersion.to, to: otherVersion });
  const replaced = plan.json.hosts[0].containers.filter((c: { action: string }) => c.action === 'replace');
  assert.ok(replaced.length > 0);
  assert.ok(
    replaced.some((c: { reasons: { field: string }[] }) => c.reasons.some((r) => r.field === 'image')),
  );
  assert.deepEqual(suite.api.store.keys(name, 'revision/'), ['revision/1'], 'a dry run stores nothing');
  assert.equal(
    (await suite.api.request('GET', `/v1/clusters/${name}/operations`)).json.operations.length,
    1,
    'and starts nothing',
  );

  const mismatch = await suite.api.request('POST', `/v1/clusters/${name}/plan`, {
    body: unreachableSpec('other'),
  });
  assert.equal(mismatch.status, 422);
});

test('DELETE ?forget=true starts a remove; a forget value other than true/false is 400; the document says so', async () => {
  const name = clusterName('forget');
  await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(name) });
  await terminateCluster(suite.t, name);
  const bad = await suite.api.request('DELETE', `/v1/clusters/${name}?forget=yes`);
  assert.equal(bad.status, 400);
  assert.match(bad.json.detail, /^forget: /);
  const forget = await suite.api.request('DELETE', `/v1/clusters/${name}?forget=true`);
  assert.equal(forget.status, 202, forget.text);
  assert.equal(forget.json.operation, 'remove');
  const remove = (await suite.api.request('GET', '/openapi.json')).json.paths['/v1/clusters/{name}'].delete;
  assert.ok(
    remove.parameters.some((p: { name: string; in: string }) => p.name === 'forget' && p.in === 'query'),
  );
  assert.ok(remove.responses[400], 'a bad query value is documented');
});

test('a cluster whose record cannot be decrypted is listed as unreadable; its GET is a problem+json saying what to do', async () => {
  const good = clusterName('readable');
  const bad = clusterName('unreadable');
  markProvisioned(good);
  markProvisioned(bad);
  const file = path.join(suite.api.store.root, bad, 'current.json');
  const sealed = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...sealed, tag: Buffer.alloc(16).toString('base64') })); // wrong key

  const list = await suite.api.request('GET', '/v1/clusters');
  assert.equal(list.status, 200, list.text);
  const byName = new Map<string, { phase: string; problem?: string }>(
    list.json.clusters.map((c: { name: string }) => [c.name, c]),
  );
  assert.equal(byName.get(good)?.phase, 'running');
  assert.equal(byName.get(bad)?.phase, 'unreadable');
  assert.match(byName.get(bad)?.problem ?? '', /cannot be read .*zke remove --forget/);

  const detail = await suite.api.request('GET', `/v1/clusters/${bad}`);
  assert.equal(detail.status, 500);
  assert.match(detail.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(detail.json.title, 'Unreadable Cluster Record');
  assert.equal(detail.json.cluster, bad);
  assert.match(detail.json.detail, new RegExp(`^cluster ${bad}: its record "current" cannot be read`));
  assert.match(detail.json.detail, /Restore the keyring .* from a backup; or drop zke's record/);
});
