// The zke CLI's documented exit codes and local commands, run as a user runs them (a child process).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EXIT } from '../../cli/command.ts';
import { tempDir } from '../support/tempDir.ts';

const home = tempDir('zke-cli');
const requests: string[] = [];
let server: http.Server;
let recorder = '';
let closedPort = 0;

before(async () => {
  // Records every request and answers 404 problem+json: proves which commands reach the API at all.
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res
      .writeHead(404, { 'content-type': 'application/problem+json' })
      .end('{"title":"Not Found","status":404,"detail":"no cluster x"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(home, { recursive: true, force: true });
});

async function zke(
  args: string[],
  api = recorder,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/zke.mjs', ...args], {
    env: { ...process.env, ZKE_HOME: home, ZKE_API: api, ZKE_TOKEN: 'zke_test' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

test('an unreachable API is exit 4 with a message naming ZKE_API', async () => {
  const { code, stderr } = await zke(['status', '-n', 'x'], `http://127.0.0.1:${closedPort}`);
  assert.equal(code, EXIT.unreachable);
  assert.match(stderr, new RegExp(`cannot reach the zke API at http://127.0.0.1:${closedPort}`));
});

test('usage errors are exit 2 and contact nobody', async () => {
  requests.length = 0;
  for (const args of [
    ['up', '--bogus'],
    ['rollback', '--to', 'two', '-n', 'x'],
    ['cert', 'renew', '-n', 'x'],
    ['etcd', 'snapshot-restore', '-n', 'x'],
    ['status', 'a', 'b'],
  ]) {
    const { code, stderr } = await zke(args);
    assert.equal(code, EXIT.usage, args.join(' '));
    assert.match(stderr, /Usage: zke/, `${args.join(' ')} prints its usage`);
  }
  assert.deepEqual(requests, []);
});

test('remove refuses without --force when stdin is not a terminal, before calling the API', async () => {
  requests.length = 0;
  const { code, stderr } = await zke(['remove', '-n', 'x']);
  assert.equal(code, EXIT.usage);
  assert.match(stderr, /refusing to remove without --force when stdin is not a terminal/);
  assert.deepEqual(requests, []);
  const forced = await zke(['remove', '--force', '-n', 'x']);
  assert.equal(forced.code, EXIT.failed, 'with --force it asks the API (which says 404 here)');
  assert.deepEqual(requests, ['DELETE /v1/clusters/x']);
  assert.match(forced.stderr, /Not Found: no cluster x/);
});

test('the cluster name comes from --name or the cluster file', async () => {
  requests.length = 0;
  const file = path.join(home, 'my-cluster.yml');
  fs.writeFileSync(file, 'cluster_name: from-file\nnodes: []\n');
  await zke(['status', '-c', file]);
  await zke(['etcd', 'snapshot-list', '-c', file, '-n', 'by-flag']);
  assert.deepEqual(requests, ['GET /v1/clusters/from-file', 'GET /v1/clusters/by-flag/snapshots']);
});

test('token create, list and revoke work locally on ZKE_HOME/tokens.json', async () => {
  const created = await zke(['token', 'create', '--name', 'ci', '--json']);
  assert.equal(created.code, EXIT.ok, created.stderr);
  const { token } = JSON.parse(created.stdout);
  assert.match(token, /^zke_[A-Za-z0-9_-]{40,}$/);
  const file = path.join(home, 'tokens.json');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.ok(!fs.readFileSync(file, 'utf8').includes(token), 'stored hashed');
  assert.equal((await zke(['token', 'create', '--name', 'ci'])).code, EXIT.usage, 'names are unique');
  const reader = await zke(['token', 'create', '--name', 'dash', '--scope', 'read', '--json']);
  assert.equal(JSON.parse(reader.stdout).scope, 'read');
  const wrong = await zke(['token', 'create', '--name', 'x', '--scope', 'root']);
  assert.equal(wrong.code, EXIT.usage);
  assert.match(wrong.stderr, /--scope must be one of read, operate, admin, codec/);
  const list = await zke(['token', 'list', '--json']);
  assert.deepEqual(
    JSON.parse(list.stdout).map((t: { name: string; scope: string }) => [t.name, t.scope]),
    [
      ['ci', 'admin'],
      ['dash', 'read'],
    ],
  );
  assert.match((await zke(['token', 'list'])).stdout, /^dash +read +\d{4}-/m);
  assert.equal((await zke(['token', 'revoke', 'dash'])).code, EXIT.ok);
  assert.equal((await zke(['token', 'revoke', 'ci'])).code, EXIT.ok);
  assert.equal((await zke(['token', 'revoke', 'ci'])).code, EXIT.failed);
  assert.equal((await zke(['token', 'list'])).stdout.trim(), 'no tokens');
});

test('zke --help lists the online commands and the exit codes', async () => {
  const { code, stdout } = await zke(['--help']);
  assert.equal(code, EXIT.ok);
  for (const name of [
    'up',
    'remove',
    'status',
    'upgrade',
    'rollback',
    'cert',
    'etcd',
    'kubeconfig',
    'state',
    'token',
    'operations',
  ])
    assert.match(stdout, new RegExp(`^ {2}${name} `, 'm'), name);
  assert.match(stdout, /Exit codes: 0 ok, 1 failed.*3 cluster busy, 4 API unreachable/);
});
