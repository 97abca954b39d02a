// Temporal frozen (its server SIGSTOPped): the API answers fast — /healthz 503 (within the deadline and the
// health check's freshness), requests 503 problem+json naming Temporal — and a start Temporal takes in after the
// API gave up never runs. The file starts its own dev server (it must not freeze the one the other test files
// share).
import './api-home.ts';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { NativeConnection } from '@temporalio/worker';
import { HEALTH_FRESH_MS } from '../../api/health.ts';
import { ApiClient, ApiError, describeError } from '../../cli/api-client.ts';
import { follow } from '../../cli/progress.ts';
import { connectClient } from '../../common/temporal.ts';
import { type DevServer, startDevServer } from '../../scripts/devServer.ts';
import { NOT_AFTER } from '../../workflows/types.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestWorker, type TestTemporal } from '../support/temporal.ts';
import { startApi, type TestApi } from './api-harness.ts';

const DEADLINE_MS = 2000;
/** How long the event stream's polls may fail before it gives up (30 s by default). */
const STREAM_GIVE_UP_MS = 4000;
let server: DevServer;
let t: TestTemporal;
let worker: { taskQueue: string; stop(): Promise<void> };
let api: TestApi;

const resume = () => server?.process.kill('SIGCONT');
process.on('exit', () => {
  resume();
  server?.process.kill('SIGKILL');
});

before(async () => {
  const dir = tempDir('zke-frozen');
  server = await startDevServer({
    cli: process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal'),
    dbFile: path.join(dir, 'temporal.db'),
    port: 18233 + Math.floor(Math.random() * 1000),
    logFile: path.join(dir, 'temporal.log'),
  });
  const client = await connectClient(server.address);
  const connection = await NativeConnection.connect({ address: server.address });
  t = {
    address: server.address,
    client,
    connection,
    close: async () => {
      await client.connection.close();
      await connection.close();
    },
  };
  worker = await startTestWorker(t, fakeHosts);
  api = await startApi(t, worker.taskQueue, {
    temporalDeadlineMs: DEADLINE_MS,
    streamGiveUpMs: STREAM_GIVE_UP_MS,
  });
});

after(async () => {
  resume();
  await api?.close();
  await worker?.stop();
  await t?.close();
  await server?.stop();
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - start };
}

async function waitReachable(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if ((await api.request('GET', '/healthz', { token: null })).json?.temporal?.reachable) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail('Temporal did not become reachable');
}

/** Once Temporal answers, starts provisioning a cluster whose host check blocks (host "slow"): it keeps running. */
async function startBlocked(cluster: string) {
  await waitReachable();
  const spec = `cluster_name: ${cluster}\nnodes:\n  - address: 10.0.0.1\n    name: slow\n    roles: [etcd, controlplane, worker]\n`;
  const started = await api.request('POST', '/v1/clusters', { body: spec });
  assert.equal(started.status, 202, started.text);
  return started;
}

test('a start Temporal takes in after the API gave up ends at once and runs no step', async () => {
  await waitReachable();
  const handle = await t.client.workflow.start('provisionCluster', {
    workflowId: 'zke/late',
    taskQueue: worker.taskQueue,
    args: [{ cluster: 'late', revision: 1 }],
    memo: { [NOT_AFTER]: new Date(Date.now() - 1000).toISOString() },
  });
  await assert.rejects(handle.result(), (err: Error & { cause?: Error & { type?: string } }) => {
    assert.equal(err.cause?.type, 'StartedTooLate');
    assert.match(err.cause?.message ?? '', /after the API had answered 503 .*: nothing was done$/);
    return true;
  });
  const events = (await handle.fetchHistory()).events ?? [];
  assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0, 'no step ran');
});

test(
  'Temporal frozen: /healthz and requests answer 503 within the deadline; nothing runs after it thaws',
  { timeout: 300_000 },
  async () => {
    await waitReachable();
    const name = 'frozen';
    const spec = (cluster: string) =>
      `cluster_name: ${cluster}\nnodes:\n  - address: 10.0.0.1\n    roles: [etcd, controlplane, worker]\n`;
    const existing = await api.request('POST', '/v1/clusters', { body: spec('thawed') });
    assert.equal(existing.status, 202, existing.text);
    server.process.kill('SIGSTOP');
    try {
      // probes answer at once from the latest check; the check under way reports the freeze within the deadline
      const frozenAt = Date.now();
      const probe = () => timed(() => api.request('GET', '/healthz', { token: null }));
      let health = await probe();
      const limit = DEADLINE_MS + HEALTH_FRESH_MS + 1500;
      while (health.value.json.temporal.reachable && Date.now() - frozenAt < limit) {
        assert.ok(health.ms < 1500, `/healthz took ${health.ms} ms`);
        await new Promise((r) => setTimeout(r, 100));
        health = await probe();
      }
      assert.equal(health.value.status, 503);
      assert.equal(health.value.json.temporal.reachable, false);
      assert.ok(health.ms < 1500, `/healthz took ${health.ms} ms`);

      const posted = await timed(() => api.request('POST', '/v1/clusters', { body: spec(name) }));
      assert.equal(posted.value.status, 503, posted.value.text);
      assert.match(posted.value.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.match(posted.value.json.detail, /^Temporal did not answer in time/);
      assert.ok(posted.ms < 2 * DEADLINE_MS + 1500, `POST took ${posted.ms} ms`);

      for (const url of ['/v1/clusters/thawed', existing.json.location, '/v1/clusters/thawed/schedules']) {
        const got = await timed(() => api.request('GET', url));
        assert.equal(got.value.status, 503, `${url}: ${got.value.text}`);
        assert.match(got.value.json.detail, /^Temporal/);
        assert.ok(got.ms < DEADLINE_MS + 1500, `GET ${url} took ${got.ms} ms`);
      }
    } finally {
      resume();
    }
    await waitReachable();
    const healthy = await api.request('GET', '/healthz', { token: null });
    assert.equal(healthy.status, 200, healthy.text);
    await new Promise((r) => setTimeout(r, 3000)); // room for a queued start to run, were one left
    const runs = [];
    for await (const run of t.client.workflow.list({ query: `WorkflowId = "zke/${name}"` })) runs.push(run);
    for (const run of runs) {
      assert.equal(run.status.name, 'FAILED', 'a start taken in late fails at once (StartedTooLate)');
      const events =
        (await t.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ?? [];
      assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes).length, 0, 'no step ran');
    }
  },
);

test(
  'Temporal gone while zke follows an operation: the event stream ends with an error the CLI shows',
  { timeout: 60_000 },
  async () => {
    const started = await startBlocked('followed');
    const quiet = { isTTY: false, columns: 80, write: () => true };
    const seen: string[] = [];
    const following = follow(new ApiClient(api.url, api.token), started.json.operationId, {
      show: true,
      cancelOnInterrupt: false,
      out: { ...quiet, write: (line: string) => seen.push(line) },
      err: quiet,
      onInterrupt: () => () => {},
    });
    while (!seen.some((line) => line.includes('check hosts'))) await new Promise((r) => setTimeout(r, 100));
    server.process.kill('SIGSTOP'); // the host check blocks ("slow"): only Temporal's absence can end the stream
    try {
      const error = await following.then(
        (outcome) => assert.fail(`the follow ended without an error: ${JSON.stringify(outcome)}`),
        (err: unknown) => err,
      );
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.status, 503);
      assert.match(
        describeError(error),
        new RegExp(
          `^Service Unavailable: the operation's status could not be read for \\d+ s \\(.+\\): is Temporal running\\? .*zke operations follow ${started.json.operationId}$`,
        ),
      );
    } finally {
      resume();
    }
    await waitReachable();
    await t.client.workflow.getHandle('zke/followed').terminate('test cleanup');
  },
);

test(
  'Temporal frozen: the cluster listing answers from the store within the deadline, running operations unknown',
  { timeout: 120_000 },
  async () => {
    const started = await startBlocked('listed');
    const listed = (reply: { json: { clusters: { name: string }[] } }) =>
      reply.json.clusters.find((c) => c.name === 'listed') as Record<string, unknown> | undefined;
    const before = await api.request('GET', '/v1/clusters');
    assert.equal((listed(before)?.runningOperation as { id?: string })?.id, started.json.operationId);
    server.process.kill('SIGSTOP');
    try {
      const frozen = await timed(() => api.request('GET', '/v1/clusters'));
      assert.equal(frozen.value.status, 200, frozen.value.text);
      assert.ok(frozen.ms < DEADLINE_MS + 1500, `GET /v1/clusters took ${frozen.ms} ms`);
      assert.match(
        frozen.value.json.problem,
        /^Temporal did not answer in time: running operations are unknown/,
      );
      const entry = listed(frozen.value);
      assert.deepEqual(
        [entry?.phase, entry?.latestRevision, entry?.runningOperation, entry?.runningOperationUnknown],
        ['pending', 1, undefined, true],
      );
    } finally {
      resume();
    }
    await waitReachable();
    const thawed = await api.request('GET', '/v1/clusters');
    assert.equal(thawed.json.problem, undefined);
    assert.equal((listed(thawed)?.runningOperation as { id?: string })?.id, started.json.operationId);
    await t.client.workflow.getHandle('zke/listed').terminate('test cleanup');
  },
);
