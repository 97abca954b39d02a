// Request errors: 422 with paths, 400 for unparsable or hostile bodies, 413, 415, 404, name mismatch.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { apiSuite, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();

function assertProblem(reply: { status: number; headers: Headers }, status: number): void {
  assert.equal(reply.status, status);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
}

test('an invalid spec is refused with 422 and every error located by its path; nothing is stored', async () => {
  const spec =
    'cluster_name: bad\nnodes:\n  - address: "not an address!"\n    roles: [etcd, wizard]\nnetwork:\n  plugin: carrier-pigeon\n';
  const reply = await suite.api.request('POST', '/v1/clusters', { body: spec });
  assertProblem(reply, 422);
  const paths = reply.json.errors.map((e: { path: string }) => e.path);
  assert.ok(paths.includes('nodes[0].address'), `paths: ${paths}`);
  assert.ok(paths.includes('nodes[0].roles[1]'), `paths: ${paths}`);
  assert.ok(paths.includes('network.plugin'), `paths: ${paths}`);
  for (const e of reply.json.errors) assert.equal(typeof e.message, 'string');
  assert.deepEqual(suite.api.store.clusters(), []);
});

test('the same spec as JSON gives the same paths', async () => {
  const reply = await suite.api.request('POST', '/v1/clusters', {
    body: { cluster_name: 'bad', nodes: [{ address: 'x y', roles: ['etcd'] }] },
  });
  assertProblem(reply, 422);
  assert.ok(reply.json.errors.some((e: { path: string }) => e.path === 'nodes[0].address'));
});

test('a missing body is 422; unparsable YAML or JSON is 400', async () => {
  assertProblem(await suite.api.request('POST', '/v1/clusters'), 422);
  const yaml = await suite.api.request('POST', '/v1/clusters', { body: 'nodes: [unclosed\n  - : :' });
  assertProblem(yaml, 400);
  assert.ok(yaml.json.errors[0].path.startsWith('(yaml'), 'YAML errors carry their line');
  assertProblem(
    await suite.api.request('POST', '/v1/clusters', { body: '{"cluster_name": ', type: 'application/json' }),
    400,
  );
  assertProblem(await suite.api.request('POST', '/v1/clusters', { body: 'a: 1\na: 2\n' }), 400);
});

test('YAML alias bombs and deep nesting are refused with 400', async () => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 8; i++)
    levels.push(
      `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10)
        .fill(`*${'abcdefgh'[i - 1]}`)
        .join(', ')}]`,
    );
  const bomb = await suite.api.request('POST', '/v1/clusters', { body: `${levels.join('\n')}\n` });
  assertProblem(bomb, 400);
  assert.match(JSON.stringify(bomb.json), /alias/i);
  const deepYaml = await suite.api.request('POST', '/v1/clusters', {
    body: `x: ${'['.repeat(200)}${']'.repeat(200)}\n`,
  });
  assertProblem(deepYaml, 400);
  const deepJson = await suite.api.request('POST', '/v1/clusters', {
    body: `{"x": ${'['.repeat(200)}${']'.repeat(200)}}`,
    type: 'application/json',
  });
  assertProblem(deepJson, 400);
  assert.match(deepJson.json.detail, /nests deeper/);
});

test('a large YAML body (read on a worker thread) is validated like a small one', async () => {
  const workers = Array.from(
    { length: 2000 },
    (_, i) => `  - address: 10.1.${i >> 8}.${i & 255}\n    roles: [worker]\n`,
  );
  const spec = `cluster_name: large\nnodes:\n${workers.join('')}  - address: "not an address!"\n    roles: [etcd]\n`;
  assert.ok(spec.length > 64 * 1024);
  const reply = await suite.api.request('POST', '/v1/clusters', { body: spec });
  assertProblem(reply, 422);
  assert.ok(reply.json.errors.some((e: { path: string }) => e.path === 'nodes[2000].address'));
  const duplicate = await suite.api.request('POST', '/v1/clusters', { body: `${spec}cluster_name: again\n` });
  assertProblem(duplicate, 400);
  assert.match(JSON.stringify(duplicate.json.errors), /yaml line 4005/);
  assert.deepEqual(suite.api.store.clusters(), []);
});

test('a body over 1 MiB is refused with 413', async () => {
  const big = `cluster_name: big\n# ${'x'.repeat(1024 * 1024)}\n`;
  const reply = await suite.api.request('POST', '/v1/clusters', { body: big });
  assertProblem(reply, 413);
  assert.deepEqual(suite.api.store.clusters(), []);
});

test('an unsupported content type is 415', async () => {
  assertProblem(
    await suite.api.request('POST', '/v1/clusters', { body: 'cluster_name: x', type: 'text/plain' }),
    415,
  );
});

test('unknown clusters, operations and routes are 404', async () => {
  assertProblem(await suite.api.request('GET', '/v1/clusters/nope'), 404);
  assertProblem(await suite.api.request('GET', '/v1/clusters/Not_A_Name'), 404);
  assertProblem(await suite.api.request('PUT', '/v1/clusters/nope', { body: unreachableSpec('nope') }), 404);
  assertProblem(await suite.api.request('DELETE', '/v1/clusters/nope'), 404);
  assertProblem(await suite.api.request('GET', '/v1/clusters/nope/kubeconfig'), 404);
  assertProblem(await suite.api.request('POST', '/v1/clusters/nope/upgrade'), 404);
  assertProblem(
    await suite.api.request('GET', '/v1/operations/nope.00000000-0000-4000-8000-000000000000'),
    404,
  );
  assertProblem(await suite.api.request('GET', '/v1/operations/garbage'), 404);
  assertProblem(await suite.api.request('GET', '/v1/operations/nope.not-a-run-id/events'), 404);
  assertProblem(await suite.api.request('GET', '/v1/no/such/route'), 404);
});

test('lifecycle bodies are validated with paths too', async () => {
  const reply = await suite.api.request('POST', '/v1/clusters/nope/rollback', {
    body: { toRevision: 'two' },
  });
  assertProblem(reply, 422);
  assert.equal(reply.json.errors[0].path, 'toRevision');
});

test('requests the HTTP parser refuses are answered with problem+json too', async () => {
  const { port } = new URL(suite.api.url);
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
  const nul = await raw('GET /v1/clusters HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n');
  assert.match(nul, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(nul, /Content-Type: application\/problem\+json/);
  assert.equal(JSON.parse(nul.slice(nul.indexOf('\r\n\r\n') + 4)).status, 400);
  const huge = await raw(`GET /v1/clusters HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(huge, /^HTTP\/1\.1 431 /);
});
