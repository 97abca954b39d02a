// The listing's index of the store (api/service/clusterIndex.ts) keeps decrypted summaries between requests: it
// must still show what another process wrote or removed, also once its entries are old enough to be trusted
// (common/stamp.ts), and a record it cannot decrypt must not hide the other clusters.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Clusters } from '../../api/service/clusters.ts';
import type { Operations } from '../../api/service/operations.ts';
import { Revisions } from '../../api/service/revisions.ts';
import { RACY_MS } from '../../common/stamp.ts';
import { FileClusterStore } from '../../common/store.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-cluster-index');
process.env.ZKE_KEYRING = path.join(dir, 'keyring.json');
const STORE_MODULE = new URL('../../common/store.ts', import.meta.url).pathname;

const idle = { runningOf: async () => new Map() } as unknown as Operations;

/** Runs `body` in another node process with `store`, a ClusterStore on root (same keyring). */
function inOtherProcess(root: string, body: string): void {
  const script = `import { FileClusterStore } from ${JSON.stringify(STORE_MODULE)};
const store = new FileClusterStore(${JSON.stringify(root)});
${body}`;
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: process.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const provision = (name: string, phase: string) =>
  `store.write('${name}', 'revision/1', { number: 1, spec: {}, createdAt: '2026-01-01', source: 'test' });
store.write('${name}', 'current', { revision: 1, phase: '${phase}' });`;

/** Past the window in which fresh changes are re-read on every listing: the index's cached entries are used. */
const settle = () => new Promise((resolve) => setTimeout(resolve, RACY_MS + 200));

const phases = (list: { name: string; phase: string }[]) =>
  Object.fromEntries(list.map((c) => [c.name, c.phase]));

test('a listing shows what another process wrote and removed, before and after its entries settle', async () => {
  const root = path.join(dir, 'processes');
  const api = new FileClusterStore(root);
  const clusters = new Clusters(api, new Revisions(api), idle);
  inOtherProcess(root, `${provision('a', 'running')}\n${provision('b', 'running')}`);
  assert.deepEqual(phases((await clusters.list()).clusters), { a: 'running', b: 'running' });

  await settle();
  assert.deepEqual(
    phases((await clusters.list()).clusters),
    { a: 'running', b: 'running' },
    'from the settled index',
  );
  inOtherProcess(
    root,
    `${provision('c', 'pending')}\nstore.remove('b');\nstore.write('a', 'current', { revision: 1, phase: 'failed' });`,
  );
  assert.deepEqual(phases((await clusters.list()).clusters), { a: 'failed', c: 'pending' });

  await settle();
  assert.deepEqual(phases((await clusters.list()).clusters), { a: 'failed', c: 'pending' });
  inOtherProcess(root, `store.write('c', 'current', { revision: 1, phase: 'running' });\nstore.remove('a');`);
  assert.deepEqual(phases((await clusters.list()).clusters), { c: 'running' });
  assert.equal(clusters.exists('a'), false, 'a removed cluster no longer exists');
});

test('a settled listing sees its own process write through another ClusterStore instance', async () => {
  const root = path.join(dir, 'instances');
  const api = new FileClusterStore(root);
  const worker = new FileClusterStore(root);
  const clusters = new Clusters(api, new Revisions(api), idle);
  worker.write('x', 'current', { phase: 'pending' });
  assert.deepEqual(phases((await clusters.list()).clusters), { x: 'pending' });
  await settle();
  assert.deepEqual(phases((await clusters.list()).clusters), { x: 'pending' });
  worker.write('x', 'current', { phase: 'running' });
  worker.write('y', 'revision/1', { number: 1, spec: {}, createdAt: '2026-01-01', source: 'test' });
  assert.deepEqual(phases((await clusters.list()).clusters), { x: 'running', y: 'pending' });
});

test('an undecryptable or damaged record lists its cluster as unreadable, with what to do, and the others', async () => {
  const root = path.join(dir, 'unreadable');
  const store = new FileClusterStore(root);
  const clusters = new Clusters(store, new Revisions(store), idle);
  for (const name of ['good', 'other-key', 'damaged']) store.write(name, 'current', { phase: 'running' });
  const otherKeyring = path.join(dir, 'other-keyring.json');
  fs.writeFileSync(
    path.join(root, 'other-key', 'current.json'),
    JSON.stringify({ keyId: 'k1', iv: 'AAAAAAAAAAAAAAAA', data: 'AAAA', tag: 'AAAAAAAAAAAAAAAAAAAAAA==' }),
  );
  fs.writeFileSync(path.join(root, 'damaged', 'current.json'), '{"keyId": "k1", "iv"');
  assert.ok(!fs.existsSync(otherKeyring));

  const { clusters: list } = await clusters.list();
  assert.deepEqual(phases(list), { damaged: 'unreadable', good: 'running', 'other-key': 'unreadable' });
  for (const name of ['damaged', 'other-key']) {
    const problem = list.find((c) => c.name === name)?.problem ?? '';
    assert.match(problem, new RegExp(`^cluster ${name}: its record "current" cannot be read`));
    assert.match(problem, /another payload keyring, or the file is damaged/);
    assert.match(problem, new RegExp(`zke remove --forget ${name}$`));
  }
  assert.equal(list.find((c) => c.name === 'good')?.problem, undefined);
  assert.equal(clusters.exists('damaged'), true);
  await assert.rejects(clusters.detail('damaged'), { name: 'UnreadableRecord', cluster: 'damaged' });
});
