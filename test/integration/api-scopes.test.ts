// Token scopes: read < operate < admin, and codec (decode only). Every operation of the OpenAPI document
// refuses a token below its scope with 403 naming the scope; what each scope may do, it can.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { EXIT } from '../../cli/command.ts';
import type { Scope } from '../../common/scopes.ts';
import { TokenStore } from '../../common/tokens.ts';
import { clusterWorkflowId } from '../../workflows/types.ts';
import { historyTexts } from '../support/history.ts';
import { apiSuite, type Reply, terminateCluster, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();
const tokens = new Map<Scope, string>();
const tokenOf = (scope: Scope) => {
  if (!tokens.has(scope)) tokens.set(scope, suite.api.tokens.create(`scoped-${scope}`, scope));
  return tokens.get(scope) as string;
};

function assertForbidden(reply: Reply, needed: string, where: string): void {
  assert.equal(reply.status, 403, `${where}: ${reply.text}`);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/, where);
  assert.equal(reply.json.requiredScope, needed, where);
  assert.match(reply.json.detail, new RegExp(`needs a token with scope "${needed}"`), where);
}

/** Every documented operation with placeholder parameters, and the scope it declares. */
async function documentedOperations(): Promise<{ method: string; path: string; scope: string }[]> {
  const doc = (await suite.api.request('GET', '/openapi.json', { token: tokenOf('read') })).json;
  const values: Record<string, string> = { name: 'c1', id: 'c1.r1', kind: 'snapshot', snapshot: 's1' };
  return Object.entries(doc.paths as Record<string, Record<string, { security?: [] }>>).flatMap(
    ([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => {
        const scope = (op.security as { bearerAuth?: string[] }[] | undefined)?.[0]?.bearerAuth?.[0];
        if (!scope) return []; // /healthz
        return [
          { method: method.toUpperCase(), path: path.replace(/\{(\w+)\}/g, (_, p) => values[p]), scope },
        ];
      }),
  );
}

const BELOW: Record<string, Scope[]> = {
  read: ['codec'],
  operate: ['codec', 'read'],
  admin: ['codec', 'read', 'operate'],
};

test('every operation refuses tokens below its scope (and the codec token) with 403 naming the scope', async () => {
  const operations = await documentedOperations();
  assert.ok(operations.length > 20, 'the document lists the operations');
  const withScope = (scope: string) =>
    operations.filter((op) => op.scope === scope).map((op) => `${op.method} ${op.path}`);
  assert.deepEqual(withScope('admin').sort(), [
    'DELETE /v1/clusters/c1',
    'GET /v1/clusters/c1/kubeconfig',
    'GET /v1/clusters/c1/state/export',
    'POST /v1/clusters/c1/adopt',
  ]);
  assert.ok(withScope('read').includes('POST /v1/clusters/c1/plan'), 'a dry run only reads');
  for (const op of operations)
    for (const scope of BELOW[op.scope]) {
      const where = `${op.method} ${op.path} with a ${scope} token`;
      const body = op.method === 'GET' ? undefined : {};
      const reply = await suite.api.request(op.method, op.path, { token: tokenOf(scope), body });
      // The codec token is refused before any route: it names the lowest API scope.
      assertForbidden(reply, scope === 'codec' ? 'read' : op.scope, where);
    }
  assertForbidden(
    await suite.api.request('GET', '/v1/nowhere', { token: tokenOf('codec') }),
    'read',
    '/v1/nowhere',
  );
  assert.deepEqual(suite.api.store.clusters(), [], 'nothing refused was stored');
});

test('read lists and plans; operate creates (its scope recorded in the revision); admin removes and downloads', async (t) => {
  const cluster = 'scoped';
  t.after(() => terminateCluster(suite.t, cluster));
  assert.equal((await suite.api.request('GET', '/v1/clusters', { token: tokenOf('read') })).status, 200);
  const spec = unreachableSpec(cluster);
  const created = await suite.api.request('POST', '/v1/clusters', { token: tokenOf('operate'), body: spec });
  assert.equal(created.status, 202, created.text);
  const revisions = await suite.api.request('GET', `/v1/clusters/${cluster}/revisions`, {
    token: tokenOf('read'),
  });
  assert.match(revisions.json.revisions[0].source, /by token scoped-operate \(scope operate\)$/);
  const plan = await suite.api.request('POST', `/v1/clusters/${cluster}/plan`, {
    token: tokenOf('read'),
    body: spec,
  });
  assert.equal(plan.status, 200, plan.text);

  suite.api.store.write(cluster, 'kubeconfig', { yaml: 'apiVersion: v1\n' });
  const path = `/v1/clusters/${cluster}/kubeconfig`;
  assertForbidden(await suite.api.request('GET', path, { token: tokenOf('operate') }), 'admin', 'kubeconfig');
  // The CLI (a child process: the API answers from this one) explains the refusal.
  const cli = await promisify(execFile)(process.execPath, ['bin/zke.mjs', 'kubeconfig', '-n', cluster], {
    env: { ...process.env, ZKE_API: suite.api.url, ZKE_TOKEN: tokenOf('operate') },
  }).then(
    () => assert.fail('zke kubeconfig succeeded with an operate token'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(cli.code, EXIT.failed);
  assert.match(cli.stderr, /use a token with scope admin \(zke token create --scope admin\)/);
  const kubeconfig = await suite.api.request('GET', path, { token: tokenOf('admin') });
  assert.equal(kubeconfig.status, 200);
  const audit = suite.api.audit.read().filter((e) => e.action === 'kubeconfig.read');
  assert.deepEqual(
    audit.map(({ token, scope }) => ({ token, scope })),
    [{ token: 'scoped-admin', scope: 'admin' }],
    'only the allowed download is audited, with its scope',
  );
  // A rollback stores its revision in the workflow: the requester goes with it.
  await terminateCluster(suite.t, cluster);
  suite.api.store.write(cluster, 'current', { revision: 1, phase: 'running' });
  const rollback = await suite.api.request('POST', `/v1/clusters/${cluster}/rollback`, {
    token: tokenOf('operate'),
    body: { toRevision: 1 },
  });
  assert.equal(rollback.status, 202, rollback.text);
  const { decoded } = await historyTexts(suite.t.client, clusterWorkflowId(cluster));
  assert.match(decoded, /"requestedBy":"token scoped-operate \(scope operate\)"/);
  const removal = await suite.api.request('DELETE', `/v1/clusters/${cluster}`, { token: tokenOf('admin') });
  assert.equal(removal.status, 409, 'admin may remove (refused here only because the rollback is running)');
});

test('tokens stored before scopes existed stay admin; token list shows every scope', async () => {
  const file = `${suite.api.home}/legacy/tokens.json`;
  const legacy = new TokenStore(file);
  const token = legacy.create('old');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete doc.tokens[0].scope;
  fs.writeFileSync(file, JSON.stringify(doc));
  assert.deepEqual(legacy.identify(token), { name: 'old', scope: 'admin' });
  assert.equal(legacy.list()[0].scope, 'admin');
  assert.throws(() => legacy.create('bad', 'root' as Scope), /invalid scope "root"/);
});
