import '../integration/api-home.ts';
// The production topology (scripts/cluster.sh): a zke provision through a real Temporal cluster on PostgreSQL,
// its history service SIGKILLed mid-provision and restarted, completes; `down` leaves no process behind.
// Slow (builds Temporal once, then about a minute): `npm run test:topology`, not part of `npm test`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Context } from '@temporalio/activity';
import type { Activities } from '../../activities/index.ts';
import { FileClusterStore } from '../../common/store.ts';
import { alive, clusterScript, SERVICES } from '../../scripts/clusterScript.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { apiSuite } from '../integration/api-harness.ts';
import { fakeHosts } from '../support/fakeHosts.ts';

const HISTORY_DOWN_MS = 15_000;
const topology = clusterScript();
const { state, pidOf } = topology;
const cluster = topology.run;

/** `promise`, or after `ms` an error with the processes' state and the tail of each service's log. */
async function withDiagnostics<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const logs = ['history', 'frontend', 'matching'].map((s) => {
        const log = fs.readFileSync(path.join(state, 'logs', `${s}.log`), 'utf8');
        return `--- ${s}.log\n${log.slice(-3000)}`;
      });
      reject(new Error(`not done after ${ms} ms\n${cluster('status')}\n${logs.join('\n')}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// The first host reconciliation waits for the test's go: the provision is mid-step while history is down.
let reached: () => void;
const reachedStep = new Promise<void>((resolve) => {
  reached = resolve;
});
let isReleased = false;
let release: () => void;
const released = new Promise<void>((resolve) => {
  release = () => {
    isReleased = true;
    resolve();
  };
});
const reconcileHost: Activities['reconcileHost'] = async (input) => {
  reached();
  while (!isReleased) {
    Context.current().heartbeat(); // as the real one does while it waits on a host
    await Promise.race([released, new Promise((r) => setTimeout(r, 1000))]);
  }
  return fakeHosts.reconcileHost(input);
};

// Registered before apiSuite's hooks, so its client and worker connect to this cluster's frontend.
let pids: number[] = [];
before(() => {
  topology.up();
  pids = SERVICES.map(pidOf);
});
const suite = apiSuite({ worker: true, activities: { ...fakeHosts, reconcileHost } });
const name = `topo-${Date.now().toString(36)}`;
/** The provision's operation, read back while PostgreSQL is down. */
let operationId = '';

// After apiSuite's hooks (they run in order), once its worker and clients are gone: nothing may be left.
after(() => {
  new FileClusterStore().remove(name);
  const all = [...pids, pidOf('history'), pidOf('postgres')].filter(Boolean);
  cluster('down');
  assert.deepEqual(all.filter(alive), [], 'down left no PostgreSQL or Temporal process running');
  assert.ok(!fs.existsSync(state), `down removed ${state}`);
});

test(
  'a provision survives the history service killed and restarted mid-step',
  { timeout: 240_000 },
  async () => {
    const spec = `cluster_name: ${name}\nnodes:\n  - {name: n1, address: 10.0.0.1, roles: [etcd, controlplane, worker]}\n`;
    const created = await suite.api.request('POST', '/v1/clusters', { body: spec });
    assert.equal(created.status, 202, created.text);
    operationId = created.json.operationId;
    await withDiagnostics(reachedStep, 60_000);

    const history = pidOf('history');
    process.kill(history, 'SIGKILL');
    await new Promise((r) => setTimeout(r, HISTORY_DOWN_MS));
    assert.ok(!alive(history), 'history stayed down');
    cluster('up'); // starts what is not running: history only
    assert.notEqual(pidOf('history'), history);
    for (const s of ['postgres', 'matching', 'frontend', 'worker'])
      assert.equal(pidOf(s), pids[SERVICES.indexOf(s)], `${s} untouched`);
    release();

    const handle = suite.t.client.workflow.getHandle(clusterWorkflowId(name));
    const result: OperationResult = await withDiagnostics(handle.result(), 120_000);
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.ok(result.status.stepsDone.includes('etcd plane'), result.status.stepsDone.join(', '));
    // SQL visibility answers a query on zke's search attributes.
    const listed: string[] = [];
    for await (const w of suite.t.client.workflow.list({ query: `ClusterName = "${name}"` }))
      listed.push(w.workflowId);
    assert.ok(listed.includes(clusterWorkflowId(name)), `listed: ${listed.join(', ')}`);
  },
);

test("the Temporal UI: through the zke API only, with a zke token, read-only, showing zke's workflows", async () => {
  const ui = `${suite.api.url}/temporal-ui`;
  const anonymous = await fetch(`${ui}/`);
  assert.equal(anonymous.status, 401);
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="zke: Temporal UI/);
  const headers = { authorization: `Basic ${Buffer.from(`operator:${suite.api.token}`).toString('base64')}` };
  const page = await fetch(`${ui}/`, { headers });
  assert.equal(page.status, 200);
  assert.match(
    await page.text(),
    /\/temporal-ui\/_app\/immutable\//,
    "the UI, its assets under the API's path",
  );
  const settings = await (await fetch(`${ui}/api/v1/settings`, { headers })).json();
  assert.equal(settings.DisableWriteActions, true);
  assert.equal(settings.WorkflowTerminateDisabled, true);
  const listed = await fetch(
    `${ui}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`ClusterName="${name}"`)}`,
    {
      headers,
    },
  );
  assert.equal(listed.status, 200);
  assert.ok(
    (await listed.text()).includes(clusterWorkflowId(name)),
    "the UI reads zke's workflows over mTLS",
  );
  const terminate = await fetch(
    `${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(clusterWorkflowId(name))}/terminate`,
    {
      method: 'POST',
      headers,
    },
  );
  assert.equal(terminate.status, 405, 'nothing is changed through the UI');
  const direct = fs.readFileSync(path.join(state, 'ui', 'config', 'production.yaml'), 'utf8');
  assert.match(direct, /^host: 127\.0\.0\.1$/m, 'the UI server itself listens on loopback only');
});

test(
  'PostgreSQL restarted under Temporal: the API answers 503 problem+json meanwhile, never 500, and recovers by itself',
  { timeout: 180_000 },
  async () => {
    const postgres = pidOf('postgres');
    process.kill(postgres, 'SIGINT'); // fast shutdown: Temporal's four services lose their database
    for (let i = 0; i < 300 && alive(postgres); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(!alive(postgres), 'PostgreSQL stopped');
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const answer = await suite.api.request('GET', `/v1/operations/${operationId}`);
      seen.add(answer.status);
      assert.ok([200, 503].includes(answer.status), `never 500: ${answer.status} ${answer.text}`);
      if (answer.status === 503)
        assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
    assert.ok(seen.has(503), `the API said Temporal is unavailable (${[...seen].join(', ')})`);
    cluster('up'); // starts what is not running: PostgreSQL only
    assert.notEqual(pidOf('postgres'), postgres);
    const deadline = Date.now() + 120_000;
    let last = await suite.api.request('GET', `/v1/operations/${operationId}`);
    while (last.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      last = await suite.api.request('GET', `/v1/operations/${operationId}`);
    }
    assert.equal(last.status, 200, last.text);
    assert.equal(last.json.state, 'succeeded');
  },
);
