// A refused request leaves no trace: concurrent writers to one cluster get one 202 and 409s, and only the
// accepted spec is stored as a revision (the latest is the one the running operation applies).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ClusterLocks } from '../../api/service/clusterLocks.ts';
import { Clusters } from '../../api/service/clusters.ts';
import { Revisions } from '../../api/service/revisions.ts';
import { SpecSubmissions } from '../../api/service/submit.ts';
import { FileClusterStore } from '../../common/store.ts';
import { apiSuite, type Reply, terminateCluster, unreachableSpec } from './api-harness.ts';
import { racedOperations } from './racedOperations.ts';

const suite = apiSuite();
const WRITERS = 10;

/** Writer i's spec: its node is named n<i>, so the stored revision tells whose spec it is. */
const specOf = (cluster: string, i: number) => unreachableSpec(cluster).replace('name: n1', `name: n${i}`);

/** Exactly one 202 and the rest 409 problem+json; returns the index of the accepted writer. */
function oneAccepted(replies: Reply[]): number {
  const summary = replies.map((r) => `${r.status} ${r.text}`).join('\n');
  const accepted = replies.flatMap((r, i) => (r.status === 202 ? [i] : []));
  assert.equal(accepted.length, 1, summary);
  for (const r of replies.filter((r) => r.status !== 202)) {
    assert.equal(r.status, 409, summary);
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  }
  return accepted[0];
}

async function assertOnlyAcceptedStored(cluster: string, revisions: number[], winner: number): Promise<void> {
  const listed = await suite.api.request('GET', `/v1/clusters/${cluster}/revisions`);
  assert.deepEqual(
    listed.json.revisions.map((r: { number: number }) => r.number),
    revisions,
  );
  const detail = await suite.api.request('GET', `/v1/clusters/${cluster}`);
  assert.equal(detail.json.latestRevision, revisions.at(-1));
  assert.deepEqual(
    detail.json.nodes.map((n: { name: string }) => n.name),
    [`n${winner}`],
    'the latest revision holds the accepted spec',
  );
}

test('ten concurrent PUTs: one 202, nine 409, and only the accepted spec becomes a revision', async (t) => {
  const cluster = 'refused-put';
  t.after(() => terminateCluster(suite.t, cluster));
  assert.equal((await suite.api.request('POST', '/v1/clusters', { body: specOf(cluster, 0) })).status, 202);
  await terminateCluster(suite.t, cluster); // idle again, revision 1 stored
  const replies = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) =>
      suite.api.request('PUT', `/v1/clusters/${cluster}`, { body: specOf(cluster, i + 1) }),
    ),
  );
  const winner = oneAccepted(replies) + 1;
  assert.equal(replies[winner - 1].json.revision, 2);
  await assertOnlyAcceptedStored(cluster, [1, 2], winner);
});

test('ten concurrent POSTs of one new cluster: one 202, nine 409, one revision', async (t) => {
  const cluster = 'refused-post';
  t.after(() => terminateCluster(suite.t, cluster));
  const replies = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) =>
      suite.api.request('POST', '/v1/clusters', { body: specOf(cluster, i) }),
    ),
  );
  await assertOnlyAcceptedStored(cluster, [1], oneAccepted(replies));
});

test('a submission whose operation does not start (started elsewhere meanwhile) stores nothing', async () => {
  const store = new FileClusterStore(path.join(suite.api.home, 'refused-start'));
  const revisions = new Revisions(store);
  const raced = racedOperations('c');
  const clusters = new Clusters(store, revisions, raced);
  const submissions = new SpecSubmissions(clusters, revisions, raced, new ClusterLocks(), store);
  await assert.rejects(submissions.create(specOf('c', 1), 'test'), /another operation was just started/);
  assert.deepEqual(store.keys('c'), [], 'no revision, no secrets');
});
