// State in PostgreSQL (ZKE_DATABASE_URL) instead of ZKE_HOME: two API replicas and two workers, each process with a
// ZKE_HOME of its own and nothing shared by disk but the keyring file each is given. A cluster created through one
// replica is listed, planned and operated through the other; a restart of PostgreSQL makes the API answer 503
// problem+json, never 500, until it is back; concurrent writers lose no change; another keyring is refused;
// `zke database migrate` moves a ZKE_HOME's records, tokens and audit trail once.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AuditLog } from '../../api/service/audit.ts';
import { SyncPg } from '../../common/database/syncPg.ts';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { FileClusterStore } from '../../common/store.ts';
import { openClusterStore, openTokenStore } from '../../common/stores.ts';
import { TokenStore } from '../../common/tokens.ts';
import { freePort } from '../support/freePort.ts';
import { postgresSkipReason, startPostgres, type TestPostgres } from '../support/postgres.ts';
import { tempDir } from '../support/tempDir.ts';
import { type TestTemporal, testTemporal } from '../support/temporal.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';
import { runZke } from '../support/zkeCli.ts';
import { terminateCluster, unreachableSpec } from './api-harness.ts';

const skip = postgresSkipReason();
const dir = tempDir('zke-shared-db');
const queue = `shared-db-${Date.now().toString(36)}`;
const cluster = `shared-${Date.now().toString(36)}`;
const keyDir = path.join(dir, 'ssh');
const homes = ['api-a', 'api-b', 'worker-1', 'worker-2'].map((h) => path.join(dir, h));
let pg: TestPostgres;
let t: TestTemporal;
let token: string;
const apis: { url: string; process: ChildProcess }[] = [];
const workers: WorkerProcess[] = [];

/** What every zke process of this test is given: the database, the one keyring, and a ZKE_HOME of its own. */
function processEnv(home: string): Record<string, string> {
  return {
    ZKE_HOME: home,
    ZKE_DATABASE_URL: pg.url,
    ZKE_KEYRING: process.env.ZKE_KEYRING as string,
    ZKE_SSH_KEY_DIRS: keyDir,
    TEMPORAL_ADDRESS: t.address,
    ZKE_TASK_QUEUE: queue,
  };
}

async function startApi(home: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const log = path.join(home, '..', `${path.basename(home)}.log`);
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('api/main.ts')], {
    env: { ...process.env, ...processEnv(home), ZKE_API_PORT: String(port) },
    stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')],
  });
  await until(
    'the API listening',
    async () => fs.readFileSync(log, 'utf8').includes('listening') || child.exitCode !== null,
    60_000,
  );
  assert.equal(child.exitCode, null, fs.readFileSync(log, 'utf8'));
  return { url: `http://127.0.0.1:${port}`, process: child };
}

async function request(url: string, method: string, route: string, body?: string) {
  const res = await fetch(url + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/yaml' } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: safeJson(text) };
}

async function until(what: string, condition: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not so after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function safeJson(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

before(
  async () => {
    if (skip) return;
    pg = await startPostgres();
    t = await testTemporal();
    loadOrCreateKeyring(process.env.ZKE_KEYRING as string);
    process.env.ZKE_DATABASE_URL = pg.url; // this process creates the token the replicas check
    token = openTokenStore().create('test');
    fs.mkdirSync(keyDir);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(keyDir, 'id_ed25519')]);
    for (const home of homes) fs.mkdirSync(home);
    apis.push(await startApi(homes[0]), await startApi(homes[1]));
    for (const home of homes.slice(2))
      workers.push(await spawnWorker(t.address, queue, `${home}.log`, processEnv(home)));
  },
  { timeout: 180_000 },
);

after(async () => {
  if (skip) return;
  for (const name of [cluster, ...Array.from({ length: 20 }, (_, i) => `${cluster}-${i}`)])
    await terminateCluster(t, name);
  for (const api of apis) api.process.kill('SIGKILL');
  for (const worker of workers) await worker.kill();
  await t.close();
  delete process.env.ZKE_DATABASE_URL;
});

test(
  'a cluster created through replica A is listed, planned and operated through replica B; no ZKE_HOME holds state',
  { skip, timeout: 120_000 },
  async () => {
    const [a, b] = apis.map((api) => api.url);
    const spec = unreachableSpec(cluster, path.join(keyDir, 'id_ed25519'));
    const started = await request(a, 'POST', '/v1/clusters', spec);
    assert.equal(started.status, 202, started.text);

    const listed = await request(b, 'GET', '/v1/clusters');
    assert.equal(listed.status, 200, listed.text);
    assert.ok(JSON.stringify(listed.json).includes(`"${cluster}"`), listed.text);
    const plan = await request(b, 'GET', `/v1/clusters/${cluster}/plan`);
    assert.equal(plan.status, 200, plan.text);
    assert.deepEqual(
      plan.json.hosts.map((h: { host: string }) => h.host),
      ['n1'],
      plan.text,
    );
    const busy = await request(b, 'DELETE', `/v1/clusters/${cluster}`);
    assert.equal(busy.status, 409, busy.text);
    assert.equal(busy.json.operationId, started.json.operationId);

    // a worker (its own ZKE_HOME) checks the host; replica B sees its progress through the database
    await until(
      'replica B shows the host check',
      async () => {
        const detail = await request(b, 'GET', `/v1/clusters/${cluster}`);
        return detail.json?.runningOperation?.step === 'check hosts';
      },
      60_000,
    );
    const cancel = await request(b, 'POST', `/v1/operations/${started.json.operationId}/cancel`);
    assert.equal(cancel.status, 202, cancel.text);
    await until(
      'replica A shows the provision ended',
      async () => {
        const detail = await request(a, 'GET', `/v1/clusters/${cluster}`);
        return detail.json?.lastOperation?.kind === 'provision' && detail.json.runningOperation === undefined;
      },
      60_000,
    );
    const detail = await request(a, 'GET', `/v1/clusters/${cluster}`);
    assert.equal(detail.json.phase, 'failed', 'never provisioned, as a worker recorded it');

    for (const home of homes)
      for (const file of ['clusters', 'tokens.json', 'audit.log'])
        assert.ok(
          !fs.existsSync(path.join(home, file)),
          `${home}/${file} should not exist: the state is in PostgreSQL`,
        );
  },
);

test(
  'twenty clusters created at once through both replicas: each accepted once and refused once (409), planned, ended',
  { skip, timeout: 180_000 },
  async () => {
    const names = Array.from({ length: 20 }, (_, i) => `${cluster}-${i}`);
    const key = path.join(keyDir, 'id_ed25519');
    const replica = (i: number) => apis[i % 2].url;
    // the same cluster created through both replicas at the same moment: one of them wins
    const pairs = await Promise.all(
      names.map((name, i) =>
        Promise.all(
          [replica(i), replica(i + 1)].map((url) =>
            request(url, 'POST', '/v1/clusters', unreachableSpec(name, key)),
          ),
        ),
      ),
    );
    for (const [i, pair] of pairs.entries())
      assert.deepEqual(
        pair.map((r) => r.status).sort(),
        [202, 409],
        `${names[i]}: ${pair.map((r) => r.text).join(' | ')}`,
      );
    const plans = await Promise.all(
      names.map((name, i) => request(replica(i + 1), 'GET', `/v1/clusters/${name}/plan`)),
    );
    for (const plan of plans) assert.equal(plan.status, 200, plan.text);
    const operations = pairs.map((pair) => pair.find((r) => r.status === 202)?.json.operationId as string);
    const cancels = await Promise.all(
      operations.map((id, i) => request(replica(i), 'POST', `/v1/operations/${id}/cancel`)),
    );
    for (const cancel of cancels) assert.equal(cancel.status, 202, cancel.text);
    await until(
      'every operation ended',
      async () => {
        const states = await Promise.all(
          operations.map((id, i) => request(replica(i + 1), 'GET', `/v1/operations/${id}`)),
        );
        return states.every((s) => s.json?.state === 'cancelled');
      },
      120_000,
    );
  },
);

test(
  'PostgreSQL restarted: the API answers 503 problem+json naming the database, never 500, and recovers by itself',
  { skip, timeout: 120_000 },
  async () => {
    const [a] = apis.map((api) => api.url);
    pg.stop();
    try {
      for (const route of ['/v1/clusters', `/v1/clusters/${cluster}`]) {
        const down = await request(a, 'GET', route);
        assert.equal(down.status, 503, `${route}: ${down.text}`);
        assert.match(down.type, /application\/problem\+json/);
        assert.match(down.json.detail, /the state database \(127\.0\.0\.1:\d+\/postgres\) is unavailable/);
        assert.doesNotMatch(down.text, new RegExp(new URL(pg.url).password), 'the password is never shown');
      }
    } finally {
      pg.start();
    }
    await until(
      'the API answering again',
      async () => (await request(a, 'GET', '/v1/clusters')).status === 200,
      60_000,
    );
  },
);

test('two processes updating one record at once lose no change', { skip, timeout: 60_000 }, async () => {
  const script = path.join(dir, 'race.mts');
  fs.writeFileSync(
    script,
    `const { openClusterStore } = await import(${JSON.stringify(path.resolve('common/stores.ts'))});
const store = openClusterStore();
for (let i = 0; i < 30; i++) store.update('race', 'list', (list = []) => [...list, process.argv[2] + i]);`,
  );
  const run = (tag: string) =>
    new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, tag], {
        env: { ...process.env, ...processEnv(dir) },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('exit', (code) => resolve(`exit ${code} ${stderr}`.trim()));
    });
  assert.deepEqual(await Promise.all([run('a'), run('b')]), ['exit 0', 'exit 0']);
  const list = openClusterStore().read<string[]>('race', 'list') ?? [];
  assert.equal(list.length, 60, `every update kept: ${list.join(' ')}`);
  for (const tag of ['a', 'b']) assert.equal(list.filter((item) => item.startsWith(tag)).length, 30);
});

test(
  'a process given another keyring is refused, naming ZKE_KEYRING, and writes nothing',
  { skip },
  async () => {
    const other = path.join(dir, 'other-keyring.json');
    loadOrCreateKeyring(other);
    const run = await runZke(['token', 'create', 'intruder'], { ...processEnv(dir), ZKE_KEYRING: other });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /is not the one this database's records were sealed with .*ZKE_KEYRING/);
    assert.ok(
      !openTokenStore()
        .list()
        .some((entry) => entry.name === 'intruder'),
    );
  },
);

test('records are sealed in the database: a secret written is not in any row', { skip }, async () => {
  const secret = `-----BEGIN PRIVATE KEY----- ${Date.now()}`;
  openClusterStore().write('sealed', 'pki', { key: secret });
  const db = new SyncPg(pg.url);
  try {
    const rows = db.query('SELECT sealed::text AS text FROM zke_record');
    assert.ok(rows.length > 0);
    assert.ok(!rows.some((row) => String(row.text).includes('PRIVATE KEY')));
    assert.deepEqual(openClusterStore().read('sealed', 'pki'), { key: secret });
  } finally {
    await db.close();
  }
});

test(
  'zke database migrate moves a ZKE_HOME (records, tokens, audit trail) once; again it moves nothing',
  { skip, timeout: 60_000 },
  async () => {
    const home = path.join(dir, 'old-home');
    const files = new FileClusterStore(path.join(home, 'clusters'));
    files.write('moved', 'current', { phase: 'running', revision: 2 });
    files.write('moved', 'revision/2', { revision: 2 });
    const oldToken = new TokenStore(path.join(home, 'tokens.json')).create('old-admin');
    new AuditLog(path.join(home, 'audit.log')).record({
      action: 'state.export',
      cluster: 'moved',
      token: 'old-admin',
    });

    const first = await runZke(['database', 'migrate', '--from', home, '--json'], processEnv(dir));
    assert.equal(first.code, 0, first.stderr);
    const moved = JSON.parse(first.stdout);
    assert.deepEqual(moved.clusters, [{ name: 'moved', records: 2 }]);
    assert.equal(moved.tokens, 1);
    assert.equal(moved.auditEvents, 1);
    assert.deepEqual(openClusterStore().read('moved', 'current'), { phase: 'running', revision: 2 });
    assert.equal(openTokenStore().verify(oldToken), 'old-admin', 'the old token works against the database');
    const listed = await request(apis[1].url, 'GET', '/v1/clusters/moved');
    assert.equal(listed.status, 200, listed.text);

    const again = await runZke(['database', 'migrate', '--from', home, '--json'], processEnv(dir));
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), {
      clusters: [],
      skipped: ['moved'],
      tokens: 0,
      auditEvents: 0,
    });
  },
);
