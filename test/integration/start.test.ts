// `npm start` as its user sees it: a quiet terminal (URLs, one line per operation event, restarts), logs in
// ZKE_HOME/logs, owner-only state; a killed worker or Temporal server comes back while the API keeps answering;
// workflows survive a restart (SQLite).
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { HEALTH_FRESH_MS } from '../../api/health.ts';
import { dataConverter } from '../../common/temporal.ts';
import { stopProcess } from '../../scripts/devServer.ts';
import { tempDir } from '../support/tempDir.ts';

const home = tempDir('zke-start');
const cli = process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal');
const ports = { temporal: 27233, ui: 28233, api: 28080 };
const env = {
  ...process.env,
  ZKE_HOME: home,
  ZKE_TOOLS: path.resolve(cli, '../../..'),
  ZKE_KEYRING: path.join(home, 'keys', 'payload-keyring.json'),
  TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
  TEMPORAL_UI_PORT: String(ports.ui),
  ZKE_API_PORT: String(ports.api),
};
const terminalFile = path.join(tempDir('zke-start-terminal'), 'terminal.log');
let running: ChildProcess | undefined;

after(async () => {
  if (running) await stopProcess(running, 15_000);
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(path.dirname(terminalFile), { recursive: true, force: true });
});

function npmStart(): ChildProcess {
  const terminal = fs.openSync(terminalFile, 'a');
  return spawn('bash', ['scripts/start.sh'], { env, stdio: ['ignore', terminal, terminal] });
}

const terminal = () => fs.readFileSync(terminalFile, 'utf8');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until probe returns a value; past the deadline fails with why() and the terminal. */
async function until<T>(
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  why: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(500);
  }
  throw new Error(`after ${timeoutMs} ms: ${why()}\n--- terminal ---\n${terminal()}`);
}

interface Health {
  status: string;
  worker: { polling: boolean };
  temporal: { reachable: boolean };
  checkedAt: string;
}

async function health(): Promise<{ status: number; body: Health }> {
  const res = await fetch(`http://127.0.0.1:${ports.api}/healthz`, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as Health };
}

async function waitHealthy(timeoutMs: number): Promise<Health> {
  let last = '';
  return until(
    timeoutMs,
    async () => {
      try {
        const h = await health();
        last = JSON.stringify(h.body);
        return h.status === 200 ? h.body : undefined;
      } catch (err) {
        last = String(err);
        return undefined;
      }
    },
    () => `not healthy: ${last}`,
  );
}

/** The supervisor's children (bash execs node: the supervisor has npm start's PID), by what they run. */
function children(): Record<'temporal' | 'worker' | 'api', number | undefined> {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(running?.pid)], { encoding: 'utf8' });
  const pid = (pattern: RegExp) => {
    const line = out.split('\n').find((l) => pattern.test(l));
    return line ? Number(line.trim().split(/\s+/, 1)[0]) : undefined;
  };
  return {
    temporal: pid(/temporal server start-dev/),
    worker: pid(/worker\/main\.ts/),
    api: pid(/api\/main\.ts/),
  };
}

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

test(
  'npm start: a quiet terminal, one line per operation event, logs and state for the owner only',
  {
    timeout: 180_000,
  },
  async () => {
    fs.chmodSync(home, 0o755); // as an older start (or mkdir with the usual umask) left it
    running = npmStart();
    await waitHealthy(120_000);
    const token = /export ZKE_TOKEN=(\S+)/.exec(terminal())?.[1];
    assert.ok(token, 'the first start prints the admin token');

    const cluster = `start-${Date.now().toString(36)}`;
    const spec = [
      `cluster_name: ${cluster}`,
      'nodes:',
      '  - address: 10.255.255.1',
      '    name: n1',
      '    roles: [etcd, controlplane, worker]',
      `    ssh_key_path: ${path.join(home, 'ssh', 'missing_id_rsa')}`,
      '',
    ].join('\n');
    const res = await fetch(`http://127.0.0.1:${ports.api}/v1/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: spec,
    });
    assert.equal(res.status, 202, await res.text());
    const failed = new RegExp(
      `^zke: provision ${cluster}: failed: check hosts failed on 1 host\\(s\\): n1: .+$`,
      'm',
    );
    await until(
      30_000,
      async () => (failed.test(terminal()) ? true : undefined),
      () => 'no failure line',
    );
    const text = terminal();
    assert.match(text, new RegExp(`^zke: provision ${cluster}: started$`, 'm'));
    assert.match(text, new RegExp(`^zke: provision ${cluster}: check hosts: started$`, 'm'));
    assert.match(text, /^ {2}Temporal UI {5}http:\/\/127\.0\.0\.1:28233$/m);
    assert.doesNotMatch(text, /^\s+at /m, 'no stack trace on the terminal');
    assert.doesNotMatch(text, /\[INFO\]|\[WARN\]|webpack|bundle/i, 'no worker log or bundler output');
    assert.ok(text.split('\n').length < 30, `a short terminal:\n${text}`);

    const logs = path.join(home, 'logs');
    assert.match(fs.readFileSync(path.join(logs, 'worker.log'), 'utf8'), /Workflow bundle created/);
    assert.match(fs.readFileSync(path.join(logs, 'api.log'), 'utf8'), /zke API listening/);
    assert.ok(fs.statSync(path.join(logs, 'temporal.log')).isFile());
    assert.deepEqual(
      Object.fromEntries([home, logs].map((d) => [d, mode(d)])),
      { [home]: '700', [logs]: '700' },
      'directories 0700',
    );
    const files = ['temporal.db', 'logs/temporal.log', 'logs/worker.log', 'logs/api.log'];
    assert.deepEqual(
      Object.fromEntries(files.map((f) => [f, mode(path.join(home, f))])),
      Object.fromEntries(files.map((f) => [f, '600'])),
      'files 0600',
    );
  },
);

test(
  'a killed worker and Temporal server come back; the API keeps answering meanwhile',
  {
    timeout: 180_000,
  },
  async () => {
    const before = children();
    assert.ok(before.temporal && before.worker && before.api, JSON.stringify(before));
    const killedAt = Date.now();
    process.kill(before.worker, 'SIGKILL');
    process.kill(before.temporal, 'SIGKILL');

    // /healthz answers from its latest check (at most HEALTH_FRESH_MS old when a probe starts the next one), so
    // a restart quicker than that may never show as 503; what it must not do is answer 200 from a check older
    // than that window plus one check (bounded by the API's Temporal deadline, 5 s).
    const answers: { status: number; staleMs: number }[] = [];
    await until(
      120_000,
      async () => {
        const h = await health(); // throws (fails the test) if the API stops answering
        answers.push({ status: h.status, staleMs: Date.now() - Date.parse(h.body.checkedAt) });
        const now = children(); // a killed child not yet reaped is listed without its command line: undefined
        const restarted = (pid: number | undefined, old: number | undefined) =>
          pid !== undefined && pid !== old;
        const back = restarted(now.worker, before.worker) && restarted(now.temporal, before.temporal);
        return back && h.status === 200 && h.body.worker.polling ? true : undefined;
      },
      () => `answers ${JSON.stringify(answers)}, children ${JSON.stringify(children())}`,
    );
    const shown = JSON.stringify(answers);
    const outageMs = Date.now() - killedAt;
    for (const a of answers.filter((x) => x.status === 200))
      assert.ok(a.staleMs <= HEALTH_FRESH_MS + 5000 + 1000, `a 200 from a check too old: ${shown}`);
    if (outageMs > HEALTH_FRESH_MS + 5000 + 1000)
      assert.ok(
        answers.some((a) => a.status === 503),
        `503 while Temporal was away: ${shown}`,
      );
    assert.equal(children().api, before.api, 'the API process was never restarted');
    const text = terminal();
    assert.match(text, /^zke: worker exited \(SIGKILL\); restarting in 1 s \(log: .*worker\.log\)$/m);
    assert.match(text, /^zke: Temporal dev server exited \(SIGKILL\); restarting in 1 s/m);
  },
);

function listedWorkflowIds(): string[] {
  const out = execFileSync(cli, ['workflow', 'list', '--address', env.TEMPORAL_ADDRESS, '--output', 'json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out || '[]') as { execution: { workflowId: string } }[]).map(
    (w) => w.execution.workflowId,
  );
}

test('npm start runs a workflow and keeps it across a restart', { timeout: 240_000 }, async () => {
  await waitHealthy(120_000);
  // the UI comes up a moment after the dev server's frontend (the test before restarts that server)
  let uiAnswer = '';
  await until(
    60_000,
    async () => {
      const ui = await fetch(`http://127.0.0.1:${ports.ui}/`).catch((err: Error) => err);
      uiAnswer = ui instanceof Error ? String(ui.cause ?? ui) : `HTTP ${ui.status}`;
      return uiAnswer === 'HTTP 200' ? true : undefined;
    },
    () => `Temporal Web UI does not answer 200: ${uiAnswer}`,
  );

  // Same keyring as the service, so this client can read the encrypted payloads.
  process.env.ZKE_KEYRING = env.ZKE_KEYRING;
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const workflowId = `smoke-${Date.now()}`;
  assert.deepEqual(
    await client.workflow.execute('probeHosts', { taskQueue: 'zke', workflowId, args: [[]] }),
    [],
  );
  await connection.close();
  assert.ok(listedWorkflowIds().includes(workflowId), 'workflow listed while running');

  if (running) await stopProcess(running, 15_000);
  running = npmStart();
  await waitHealthy(120_000);
  assert.ok(
    listedWorkflowIds().includes(workflowId),
    'workflow still listed after restart (SQLite persisted)',
  );
});
