// `zke up -c cluster.yml` with nothing else running, spawned as a user runs it: the CLI starts the Temporal
// dev server on ZKE_HOME's database and a worker itself, shows the run, and leaves the state for npm start.
// The host refuses SSH, so the run ends at "check hosts" (after its retries) without a lab.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { EXIT } from '../../cli/command.ts';
import { type DevServer, startDevServer, waitForFrontend } from '../../scripts/devServer.ts';
import { freePort } from '../support/freePort.ts';
import { tempDir } from '../support/tempDir.ts';

const home = tempDir('zke-embedded');
const dir = tempDir('zke-embedded-cluster');
// the key where the API takes keys from (ZKE_HOME/ssh); the hosts on loopback, which userEnv() allows
fs.mkdirSync(path.join(home, 'ssh'), { mode: 0o700 });
const keyPath = path.join(home, 'ssh', 'id_ed25519');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);
const cli = process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal');
const ports = { temporal: await freePort(), api: await freePort(), ssh: await freePort() };
const address = `127.0.0.1:${ports.temporal}`;
const started: ChildProcess[] = [];
let npmStartServer: DevServer | undefined;

after(async () => {
  for (const child of started) child.kill('SIGKILL');
  await npmStartServer?.stop();
});

/** No ZKE_API, no token, no API on ZKE_API_PORT: what a user with only a cluster file has. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZKE_HOME: home,
    TEMPORAL_CLI: cli,
    TEMPORAL_ADDRESS: address,
    ZKE_ALLOWED_NODE_CIDRS: '127.0.0.1/32',
  };
  for (const name of ['ZKE_API', 'ZKE_TOKEN', 'ZKE_KEYRING', 'ZKE_TEST_TEMPORAL']) delete env[name];
  return { ...env, ZKE_API_PORT: String(ports.api) };
}

function clusterFile(name: string, sshPort = ports.ssh): string {
  const file = path.join(dir, `${name}.yml`);
  const node = `  - address: 127.0.0.1\n    port: ${sshPort}\n    name: n1\n    ssh_key_path: ${keyPath}\n    roles: [etcd, controlplane, worker]\n`;
  fs.writeFileSync(file, `cluster_name: ${name}\nnodes:\n${node}`);
  return file;
}

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number>;
}

function zke(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ['bin/zke.mjs', ...args], {
    env: { ...userEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const run: Run = { child, stdout: '', stderr: '', exit: Promise.resolve(0) };
  child.stdout?.on('data', (d) => {
    run.stdout += d;
  });
  child.stderr?.on('data', (d) => {
    run.stderr += d;
  });
  run.exit = new Promise((resolve) =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : 0))),
  );
  return run;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await ok()); ) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const temporalAnswers = () =>
  waitForFrontend(address, 0).then(
    () => true,
    () => false,
  );

const operationOf = (text: string) => /operation (\S+\.[0-9a-f-]{36})/.exec(text)?.[1];

/** `zke up -c file`, once its host check is under way: the run and the operation it printed. */
async function upCheckingHosts(file: string): Promise<{ run: Run; operation: string | undefined }> {
  const run = zke(['up', '-c', file]);
  await until('check hosts running', () => /host n1: running \(check hosts\)/.test(run.stdout), 120_000);
  return { run, operation: operationOf(run.stdout) };
}

/** The runs of zke/<name> in ZKE_HOME's database, read through a dev server started as npm start does. */
async function runsInHomeDb(name: string): Promise<{ runId: string; status: string }[]> {
  npmStartServer ??= await startDevServer({
    cli,
    dbFile: path.join(home, 'temporal.db'),
    port: ports.temporal,
    logFile: path.join(home, 'npm-start-temporal.log'),
  });
  const connection = await Connection.connect({ address });
  try {
    // raw rows: the memo is encrypted with ZKE_HOME's keyring, which this test process does not hold
    const { executions } = await connection.workflowService.listWorkflowExecutions({
      namespace: 'default',
      query: `WorkflowId = "zke/${name}"`,
    });
    const statusName = (s: number) =>
      String(proto.temporal.api.enums.v1.WorkflowExecutionStatus[s]).replace(
        'WORKFLOW_EXECUTION_STATUS_',
        '',
      );
    return executions.map((e) => ({ runId: e.execution?.runId ?? '', status: statusName(e.status ?? 0) }));
  } finally {
    await connection.close();
  }
}

/** A port that accepts SSH connections and never answers: each check attempt waits for the handshake timeout. */
async function silentSshPort(): Promise<number> {
  const silent = net.createServer(() => undefined).listen(0, '127.0.0.1');
  after(() => silent.close());
  await new Promise((resolve) => silent.once('listening', resolve));
  return (silent.address() as net.AddressInfo).port;
}

/** Nothing running at TEMPORAL_ADDRESS again, as before the first test. */
async function stopNpmStartServer(): Promise<void> {
  await npmStartServer?.stop();
  npmStartServer = undefined;
}

test(
  'zke up with no API runs embedded, shows the failure at check hosts, and leaves the run in ZKE_HOME',
  { timeout: 240_000 },
  async () => {
    const file = clusterFile('alone');
    const up = zke(['up', '-c', file]);
    const code = await up.exit;
    const output = up.stdout + up.stderr;
    assert.equal(code, EXIT.failed, output);
    assert.match(up.stderr, new RegExp(`no zke API at http://127.0.0.1:${ports.api}: embedded mode`));
    assert.match(up.stderr, new RegExp(`started the Temporal dev server at ${address} \\(state in ${home}`));
    assert.match(up.stderr, /a worker in this process/);
    assert.match(up.stdout, /started provision of cluster alone \(revision 1\)/);
    assert.match(up.stdout, /check hosts: started/, 'live progress, as against the API');
    assert.match(up.stderr, /provision of cluster alone \(revision 1\) failed: check hosts failed/);
    assert.match(up.stderr, new RegExp(`n1: SSH to \\S+@127\\.0\\.0\\.1:${ports.ssh}: connect ECONNREFUSED`));
    assert.equal(await temporalAnswers(), false, 'the dev server stopped with zke');
    assert.ok(fs.existsSync(path.join(home, 'clusters', 'alone')), 'the cluster store is in ZKE_HOME');

    const runs = await runsInHomeDb('alone');
    assert.deepEqual(runs, [{ runId: operationOf(up.stdout)?.split('.')[1], status: 'FAILED' }]);
  },
);

test(
  'zke up killed with SIGKILL mid-run, then run again, follows the same workflow run',
  { timeout: 300_000 },
  async () => {
    await stopNpmStartServer();
    const file = clusterFile('resumed');
    const { run: first, operation } = await upCheckingHosts(file);
    assert.ok(operation, first.stdout);
    first.child.kill('SIGKILL');
    await first.exit;
    await until(
      'the killed zke to take its dev server along',
      async () => !(await temporalAnswers()),
      20_000,
    );

    const again = zke(['up', '-c', file]);
    const code = await again.exit;
    const output = again.stdout + again.stderr;
    assert.equal(code, EXIT.failed, output);
    assert.match(again.stderr, new RegExp(`busy with operation ${operation}; following it`), output);
    assert.match(again.stdout, new RegExp(`following provision of cluster resumed: operation ${operation}`));
    assert.match(again.stderr, /provision of cluster resumed failed: check hosts failed/);

    const runs = await runsInHomeDb('resumed');
    assert.deepEqual(runs, [{ runId: operation?.split('.')[1], status: 'FAILED' }], 'one run, not two');
  },
);

test(
  'a second zke up while one runs follows the same run, and goes on when the first is killed',
  { timeout: 300_000 },
  async () => {
    await stopNpmStartServer();
    const file = clusterFile('shared', await silentSshPort());
    const { run: first, operation } = await upCheckingHosts(file);
    const second = zke(['up', '-c', file]);
    await until('the second following', () => /following provision/.test(second.stdout), 120_000);
    assert.match(second.stderr, /embedded mode: the Temporal server already running at/);
    assert.match(second.stdout, new RegExp(`following provision of cluster shared: operation ${operation}`));
    first.child.kill('SIGKILL');

    await until('the second to see the run end', () => second.child.exitCode !== null, 180_000);
    const code = await second.exit;
    const output = second.stdout + second.stderr;
    assert.equal(code, EXIT.failed, output);
    assert.match(second.stderr, /provision of cluster shared failed: check hosts failed.*handshake/, output);
    const runs = await runsInHomeDb('shared');
    assert.deepEqual(runs, [{ runId: operation?.split('.')[1], status: 'FAILED' }], 'one run, not two');
  },
);

test(
  'Ctrl-C in embedded mode pauses the operation: exit 130, server stopped, run kept',
  { timeout: 180_000 },
  async () => {
    await stopNpmStartServer();
    const { run: up, operation } = await upCheckingHosts(clusterFile('paused', await silentSshPort()));
    up.child.kill('SIGINT');
    const interrupted = Date.now();
    assert.equal(await up.exit, 130, up.stdout + up.stderr);
    assert.ok(Date.now() - interrupted < 10_000, `exited ${Date.now() - interrupted} ms after Ctrl-C`);
    assert.match(up.stderr, new RegExp(`operation pauses as zke exits.*zke operations follow ${operation}`));
    assert.equal(await temporalAnswers(), false, 'the dev server stopped with zke');
    const runs = await runsInHomeDb('paused');
    assert.deepEqual(runs, [{ runId: operation?.split('.')[1], status: 'RUNNING' }]);
  },
);

test(
  'without the Temporal CLI, embedded mode says what to run and exits 4',
  { timeout: 60_000 },
  async () => {
    await stopNpmStartServer();
    const missing = path.join(dir, 'no-tools', 'temporal');
    const up = zke(['up', '-c', clusterFile('no-cli')], { TEMPORAL_CLI: missing });
    assert.equal(await up.exit, EXIT.unreachable, up.stderr);
    assert.match(up.stderr, new RegExp(`needs the Temporal CLI at ${missing}, which is not there`));
    assert.match(up.stderr, /Install it with `npm start`/);
  },
);

test('with an API answering where npm start serves it, the CLI uses it and says so', async () => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res
      .writeHead(404, { 'content-type': 'application/problem+json' })
      .end('{"title":"Not Found","status":404}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const port = (server.address() as net.AddressInfo).port;
  const status = zke(['status', '-n', 'x'], { ZKE_API_PORT: String(port) });
  assert.equal(await status.exit, EXIT.failed, status.stderr);
  assert.match(status.stderr, new RegExp(`^zke: using the zke API at http://127.0.0.1:${port}$`, 'm'));
  assert.deepEqual(seen, ['GET /healthz', 'GET /v1/clusters/x']);
  assert.doesNotMatch(status.stderr, /embedded/);
});
