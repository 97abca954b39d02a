// Hostile input against the real API. Bodies that are too large, nested too deep, alias bombs or of the wrong
// types get a quick 4xx problem+json in bounded memory; then schemathesis fuzzes every operation of
// /openapi.json, bounded in examples and time: no 5xx, every 4xx is problem+json, responses match the document.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SCHEDULE_KINDS, scheduleId } from '../../common/schedules.ts';
import { tempDir } from '../support/tempDir.ts';
import { apiSuite, type Reply, terminateCluster, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();

const ST = path.join(process.env.ZKE_TOOLS ?? path.resolve('.zke/tools'), 'py/bin/st');
/** schemathesis' own budget (max-time); the process is killed a minute after it. */
const FUZZ_SECONDS = 90;
/** Generous bounds: the machine may be busy (the unguarded deep-YAML parse took 25 s). */
const QUICK_MS = 5000;
const RSS_BOUND = 256 * 1024 * 1024;

/** Posts a hostile body: refused with `status` as problem+json, quickly, without the process' peak RSS soaring. */
async function refused(status: number, body: string, type = 'application/yaml', urlPath = '/v1/clusters') {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const reply = await suite.api.request('POST', urlPath, { body, type });
  const ms = performance.now() - started;
  const grown = process.resourceUsage().maxRSS * 1024 - rssBefore;
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(ms < QUICK_MS, `answered in ${Math.round(ms)} ms`);
  assert.ok(grown < RSS_BOUND, `peak RSS grew by ${grown >> 20} MiB`);
  return reply;
}

const paths = (reply: Reply) => reply.json.errors.map((e: { path: string }) => e.path);

test('alias bombs and ~1 MiB of nesting are refused with 400, quickly and in bounded memory', async () => {
  const laughs = ['l0: &l0 "lol"'];
  const tenOf = (name: string) => Array(10).fill(`*${name}`).join(', ');
  for (let i = 1; i <= 9; i++) laughs.push(`l${i}: &l${i} [${tenOf(`l${i - 1}`)}]`);
  assert.match((await refused(400, laughs.join('\n'))).text, /alias/i, '10^9 lols if expanded');
  const half = 500_000;
  await refused(400, `x: ${'['.repeat(half)}${']'.repeat(half)}\n`);
  await refused(400, `x: ${'{a: '.repeat(250_000)}`);
  let block = '';
  for (let i = 0; i < 1400; i++) block += `${' '.repeat(i)}k:\n`;
  await refused(400, block);
  await refused(400, `${'['.repeat(half)}${']'.repeat(half)}`, 'application/json');
});

test('a body over 1 MiB without Content-Length (chunked) is refused with 413 too', async () => {
  const chunk = new TextEncoder().encode(`# ${'x'.repeat(64 * 1024)}\n`);
  let sent = 0;
  const body = new ReadableStream({
    pull: (controller) => (sent++ < 40 ? controller.enqueue(chunk) : controller.close()),
  });
  const res = await fetch(`${suite.api.url}/v1/clusters`, {
    method: 'POST',
    headers: { authorization: `Bearer ${suite.api.token}`, 'content-type': 'application/yaml' },
    body,
    duplex: 'half',
  } as RequestInit);
  assert.equal(res.status, 413);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.deepEqual(suite.api.store.clusters(), []);
});

test('wrong types are refused with 422 naming each field, in JSON and YAML bodies', async () => {
  const json = await refused(
    422,
    JSON.stringify({
      cluster_name: 42,
      nodes: [{ address: '10.0.0.1', roles: 'etcd', port: 'ssh' }],
      network: { mtu: 'big' },
    }),
    'application/json',
  );
  for (const field of ['cluster_name', 'nodes[0].roles', 'nodes[0].port', 'network.mtu'])
    assert.ok(paths(json).includes(field), `${field} in ${paths(json)}`);
  const yaml = await refused(422, 'cluster_name: [a]\nnodes:\n  - address: {x: 1}\n    roles: [etcd]\n');
  for (const field of ['cluster_name', 'nodes[0].address'])
    assert.ok(paths(yaml).includes(field), `${field} in ${paths(yaml)}`);
  const schedule = await refused(
    422,
    JSON.stringify({ interval: 5, paused: 'no' }),
    'application/json',
    '/v1/clusters/any/schedules/rotation',
  );
  assert.deepEqual(paths(schedule), ['interval', 'paused']);
});

const fuzzTimeout = { timeout: (FUZZ_SECONDS + 120) * 1000 };

test(
  'schemathesis fuzzes every operation: no 5xx, every 4xx problem+json, as documented',
  fuzzTimeout,
  async (t) => {
    assert.ok(fs.existsSync(ST), `${ST} is missing: npm test installs it (scripts/test.sh)`);
    const seed = await seedCluster();
    const dir = tempDir('zke-fuzz');
    try {
      fs.writeFileSync(path.join(dir, 'st.toml'), stConfig(suite.api.url, seed));
      const started = performance.now();
      const run = await schemathesis(dir);
      const seconds = Math.round((performance.now() - started) / 1000);
      const report = readReport(path.join(dir, 'st.ndjson'), suite.api.url);
      t.diagnostic(`${report.requests} requests to ${report.operations.size} operations in ${seconds} s`);
      assert.deepEqual(report.problems, [], `seed and failures:\n${run.output.slice(-4000)}`);
      assert.equal(run.code, 0, run.output.slice(-8000));
      assert.ok(report.operations.size >= 20, `only ${[...report.operations]}`);
    } finally {
      t.diagnostic(`${await stopStarted()} workflow(s) the run started were terminated`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

interface Seed {
  cluster: string;
  operationId: string;
}

/** A cluster for the fuzzer to name: provisioned as the workflows would record it, idle, with a snapshot. */
async function seedCluster(): Promise<Seed> {
  const cluster = `fuzz-${Date.now().toString(36)}`;
  const created = await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec(cluster) });
  assert.equal(created.status, 202, created.text);
  await terminateCluster(suite.t, cluster);
  const { store } = suite.api;
  store.write(cluster, 'current', { revision: 1, phase: 'running' });
  store.write(cluster, 'snapshots', [{ name: 'snap-1', createdAt: '2026-01-01T00:00:00Z' }]);
  return { cluster, operationId: created.json.operationId };
}

/** The run's configuration: bounds, checks, and the seeded names path parameters take half of the time. */
function stConfig(url: string, seed: Seed): string {
  const str = JSON.stringify;
  return `
base-url = ${str(url)}
headers = { Authorization = "Bearer \${ZKE_FUZZ_TOKEN}" }
workers = 1
max-time = ${FUZZ_SECONDS}
request-timeout = 10
max-redirects = 0
cache = { enabled = false }
generation = { max-examples = 25, database = "none" }

[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
ignored_auth.enabled = true

# No ids taken from responses: the event stream of an operation the run started would never end.
[phases]
stateful.enabled = false
coverage.extra-data-sources.responses = false
fuzzing.extra-data-sources.responses = false

[dictionaries]
cluster = { values = [${str(seed.cluster)}] }
snapshot = { values = ["snap-1"] }
operation = { values = [${str(seed.operationId)}] }

[parameters]
"path.name" = { dictionary = "cluster", probability = 0.5 }
"path.snapshot" = { dictionary = "snapshot", probability = 0.5 }
"path.id" = { dictionary = "operation", probability = 0.5 }

# Documented as text (type: string); schemathesis would validate each parsed event against that.
[[operations]]
include-path = "/v1/operations/{id}/events"
checks.response_schema_conformance.enabled = false
`;
}

/** Runs `st` in `dir` (its only scratch space). /healthz is left out: it takes no input and is 503 without a worker. */
function schemathesis(dir: string): Promise<{ code: number | string | null; output: string }> {
  const args = ['--config-file', 'st.toml', 'run', `${suite.api.url}/openapi.json`];
  args.push(
    ...'--exclude-path /healthz --report ndjson --report-ndjson-path st.ndjson --no-color'.split(' '),
  );
  const env = { ...process.env, ZKE_FUZZ_TOKEN: suite.api.token, NO_PROXY: '*', no_proxy: '*' };
  const options = { cwd: dir, env, timeout: (FUZZ_SECONDS + 60) * 1000, maxBuffer: 64 << 20 };
  return new Promise((resolve) => {
    execFile(ST, args, options, (error, stdout, stderr) =>
      resolve({ code: error ? (error.code ?? error.signal ?? null) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

interface Interaction {
  request: { method: string; uri: string; body?: { $base64?: string } };
  response?: { status_code: number; headers: Record<string, string[]>; content?: { $base64?: string } };
}

/** Every recorded exchange that went elsewhere than the API, got a 5xx, or a 4xx that is not problem+json. */
function readReport(file: string, url: string) {
  const report = { requests: 0, operations: new Set<string>(), problems: [] as string[] };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const recorder = line ? JSON.parse(line).ScenarioFinished?.recorder : undefined;
    for (const { request, response } of Object.values<Interaction>(recorder?.interactions ?? {})) {
      report.requests++;
      report.operations.add(recorder.label);
      const status = response?.status_code ?? 0;
      const type = response?.headers['content-type']?.[0] ?? 'no content type';
      const problem = !request.uri.startsWith(`${url}/`)
        ? 'not the API under test'
        : status >= 500
          ? 'server error'
          : status >= 400 && !type.startsWith('application/problem+json')
            ? `answered as ${type}`
            : undefined;
      if (problem)
        report.problems.push(
          `${recorder.label}: ${request.method} ${request.uri} ${excerpt(request.body)} → ${status} ${excerpt(response?.content)}: ${problem}`,
        );
    }
  }
  return report;
}

function excerpt(data: { $base64?: string } | undefined): string {
  return data?.$base64
    ? JSON.stringify(Buffer.from(data.$base64, 'base64').toString('utf8').slice(0, 300))
    : '';
}

/** Deletes the schedules and terminates the workflows the run started (all on the API's idle task queue). */
async function stopStarted(): Promise<number> {
  const { t, api } = suite;
  for (const cluster of api.store.clusters())
    for (const kind of SCHEDULE_KINDS)
      await t.client.schedule
        .getHandle(scheduleId(cluster, kind))
        .delete()
        .catch(() => undefined);
  let stopped = 0;
  const query = `TaskQueue = "${api.taskQueue}" AND ExecutionStatus = "Running"`;
  for await (const run of t.client.workflow.list({ query })) {
    await t.client.workflow
      .getHandle(run.workflowId, run.runId)
      .terminate('fuzz cleanup')
      .catch(() => undefined);
    stopped++;
  }
  return stopped;
}
