// GET /v1/clusters under concurrent readers: one pass over the store and Temporal is shared, yet a listing
// requested after a write (by this process or another one sharing ZKE_HOME) always shows it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Clusters } from '../../api/service/clusters.ts';
import type { Operations } from '../../api/service/operations.ts';
import { Revisions } from '../../api/service/revisions.ts';
import { type ClusterStore, FileClusterStore } from '../../common/store.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-cluster-list');
process.env.ZKE_KEYRING = path.join(dir, 'keyring.json');
const SECRET = 'kubeconfig-token-4f1c9e';

/** Operations whose status lookups wait until release() (as Temporal does under load), counting them. */
function slowOperations() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const fake = { lookups: 0, release: () => release() };
  const operations = {
    runningOf: async () => {
      fake.lookups++;
      await gate;
      return new Map();
    },
  } as unknown as Operations;
  return { fake, operations };
}

function provision(store: ClusterStore, name: string): void {
  store.write(name, 'revision/1', {
    number: 1,
    spec: { token: SECRET },
    createdAt: '2026-01-01',
    source: 'test',
  });
  store.write(name, 'current', { revision: 1, phase: 'provisioned' });
  store.write(name, 'kubeconfig', { value: SECRET });
}

const names = (list: { name: string }[]) => list.map((c) => c.name);

function filesUnder(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(root, f)).isFile());
}

test('concurrent listings share one lookup of the running operations', async () => {
  const store = new FileClusterStore(path.join(dir, 'shared'));
  for (const name of ['a', 'b', 'c']) provision(store, name);
  const { fake, operations } = slowOperations();
  const clusters = new Clusters(store, new Revisions(store), operations);
  const lists = Array.from({ length: 10 }, () => clusters.list());
  fake.release();
  for (const list of await Promise.all(lists)) assert.deepEqual(names(list.clusters), ['a', 'b', 'c']);
  assert.equal(fake.lookups, 1);
});

test('a listing requested after another store instance wrote a cluster shows it, even while an older listing runs', async () => {
  const root = path.join(dir, 'two-processes');
  const api = new FileClusterStore(root);
  const worker = new FileClusterStore(root); // as the worker process would, sharing ZKE_HOME
  provision(worker, 'first');
  const { fake, operations } = slowOperations();
  const clusters = new Clusters(api, new Revisions(api), operations);

  const before = clusters.list();
  await new Promise((resolve) => setImmediate(resolve)); // that listing is under way, waiting on Temporal
  provision(worker, 'second');
  worker.write('first', 'current', { revision: 1, phase: 'failed' });
  const after = clusters.list();
  fake.release();

  assert.deepEqual(names((await before).clusters), ['first']);
  const { clusters: listed } = await after;
  assert.deepEqual(names(listed), ['first', 'second']);
  assert.equal(listed[0]?.phase, 'failed');
  assert.equal(listed[1]?.phase, 'provisioned');

  const files = filesUnder(root);
  assert.deepEqual(files.sort(), [
    '.changed', // empty: touched on every change (ClusterStore.changeStamp)
    'first/current.json',
    'first/kubeconfig.json',
    'first/revision/1.json',
    'second/current.json',
    'second/kubeconfig.json',
    'second/revision/1.json',
  ]);
  for (const file of files)
    assert.ok(!fs.readFileSync(path.join(root, file), 'utf8').includes(SECRET), `${file} holds no plaintext`);
});

test('when Temporal misses the deadline the listing answers from the store, running operations unknown', async () => {
  const store = new FileClusterStore(path.join(dir, 'temporal-late'));
  for (const name of ['a', 'b']) provision(store, name);
  const late = Object.assign(new Error('Deadline exceeded'), { code: 4, details: 'Deadline exceeded' });
  const operations = {
    runningOf: async () => Promise.reject(Object.assign(new Error('listing failed'), { cause: late })),
  } as unknown as Operations;
  const listing = await new Clusters(store, new Revisions(store), operations).list();
  assert.deepEqual(
    listing.clusters.map((c) => [c.name, c.phase, c.revision, c.runningOperationUnknown]),
    [
      ['a', 'provisioned', 1, true],
      ['b', 'provisioned', 1, true],
    ],
  );
  assert.match(listing.problem ?? '', /^Temporal did not answer in time: running operations are unknown/);
});
