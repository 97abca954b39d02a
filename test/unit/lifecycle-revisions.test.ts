// Rollback bookkeeping in the store: the default target (the applied revision after a failed upgrade, else the
// one applied before), the copy as a new revision (once per run), certificates per applied revision, and the
// snapshot taken by the upgrade that left a revision. The activities run on a store of their own (test deps).
import './lifecycle-env.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createActivities } from '../../activities/index.ts';
import { rollbackTarget } from '../../common/rollback.ts';
import type { CertBundle } from '../../model/pki/types.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { OperationKind, OperationStatus } from '../../workflows/types.ts';
import { testDeps } from '../support/activityDeps.ts';

const NOW = '2031-05-06T07:08:09.000Z';
const deps = testDeps(NOW);
const { recordOperation, prepareRollback, recordUpgradeSnapshot, restorePkiOf } = createActivities(deps);
const store = deps.store;

const parsed = parseClusterSpec({
  cluster_name: 'r',
  nodes: [{ name: 'a', address: '10.0.0.1', roles: ['etcd', 'controlplane', 'worker'] }],
});
if (!parsed.ok) throw new Error('bad spec');
const spec = parsed.spec;

function revision(cluster: string, n: number, version = `v${n}`) {
  store.write(cluster, `revision/${n}`, {
    number: n,
    spec: { ...spec, kubernetesVersion: version },
    createdAt: 'now',
    source: 'test',
  });
}

const bundle = (serial: string): CertBundle =>
  ({ 'kube-ca': { name: 'kube-ca', serial } }) as unknown as CertBundle;

async function finish(cluster: string, kind: OperationKind, rev: number, phase: OperationStatus['phase']) {
  const status = { phase } as OperationStatus;
  await recordOperation({
    cluster,
    revision: rev,
    kind,
    operationId: `${cluster}.run`,
    status,
    summary: phase,
  });
}

test('a succeeded operation keeps the certificates its revision runs with', async () => {
  revision('p', 1);
  store.write('p', 'pki', bundle('aa'));
  await finish('p', 'provision', 1, 'succeeded');
  assert.equal(store.read<CertBundle>('p', 'pki-at/1')?.['kube-ca'].serial, 'aa');
  store.write('p', 'pki', bundle('bb'));
  await finish('p', 'upgrade', 1, 'failed');
  assert.equal(store.read<CertBundle>('p', 'pki-at/1')?.['kube-ca'].serial, 'aa', 'a failure writes none');
});

test('default target: the applied revision after a failed upgrade, the previous applied one otherwise', async () => {
  const c = 't';
  for (const n of [1, 2, 3]) revision(c, n);
  store.write(c, 'pki', bundle('aa'));
  await finish(c, 'provision', 1, 'succeeded');
  await finish(c, 'upgrade', 2, 'succeeded');
  assert.equal(rollbackTarget(store, c), 1);
  await finish(c, 'upgrade', 3, 'failed');
  assert.equal(rollbackTarget(store, c), 2, 'a failed upgrade returns to what was applied');
  assert.equal(rollbackTarget(store, c, 1), 1);
});

test('a rollback copies the target as the next revision, once per run, with its secrets', async () => {
  const c = 'u';
  for (const n of [1, 2]) revision(c, n);
  store.write(c, 'secrets/1', { '/x': 'secret' });
  store.write(c, 'pki', bundle('aa'));
  await finish(c, 'provision', 1, 'succeeded');
  await finish(c, 'upgrade', 2, 'succeeded');
  const first = await prepareRollback({ cluster: c, runId: 'run-1' });
  assert.deepEqual(first, { from: 2, to: 1, revision: 3, snapshot: undefined });
  assert.equal(
    store.read<{ spec: { kubernetesVersion: string } }>(c, 'revision/3')?.spec.kubernetesVersion,
    'v1',
  );
  assert.deepEqual(store.read(c, 'secrets/3'), { '/x': 'secret' });
  assert.equal(
    store.read<{ createdAt: string }>(c, 'revision/3')?.createdAt,
    NOW,
    "stamped by the activities' clock",
  );
  assert.equal(
    (await prepareRollback({ cluster: c, runId: 'run-1' })).revision,
    3,
    'a retry reuses its copy',
  );
  assert.equal((await prepareRollback({ cluster: c, runId: 'run-2' })).revision, 4);
  const asked = await prepareRollback({
    cluster: c,
    runId: 'run-3',
    requestedBy: 'token ops (scope operate)',
  });
  assert.equal(
    store.read<{ source: string }>(c, `revision/${asked.revision}`)?.source,
    `rollback to revision ${asked.to} (run run-3) by token ops (scope operate)`,
  );
});

test('a rollback asking for the snapshot finds the one the upgrade from its target took, or refuses', async () => {
  const c = 's';
  for (const n of [1, 2]) revision(c, n);
  store.write(c, 'pki', bundle('aa'));
  await finish(c, 'provision', 1, 'succeeded');
  await assert.rejects(
    prepareRollback({ cluster: c, toRevision: 1, runId: 'x', withSnapshot: true }),
    /no etcd snapshot was taken by an upgrade from revision 1/,
  );
  await recordUpgradeSnapshot({ cluster: c, revision: 2, fromRevision: 1, snapshot: 'pre-upgrade-r2-x' });
  const out = await prepareRollback({ cluster: c, toRevision: 1, runId: 'y', withSnapshot: true });
  assert.equal(out.snapshot, 'pre-upgrade-r2-x');
});

test("restoring a revision's certificates reports which ones differ", async () => {
  const c = 'k';
  store.write(c, 'pki-at/1', bundle('aa'));
  store.write(c, 'pki', bundle('bb'));
  assert.deepEqual(await restorePkiOf({ cluster: c, revision: 1 }), { restored: true, changed: ['kube-ca'] });
  assert.equal(store.read<CertBundle>(c, 'pki')?.['kube-ca'].serial, 'aa');
  assert.deepEqual(await restorePkiOf({ cluster: c, revision: 1 }), { restored: true, changed: [] });
  assert.deepEqual(await restorePkiOf({ cluster: c, revision: 9 }), { restored: false, changed: [] });
});
