// Auth: every endpoint but /healthz, the static /docs shell and /openapi.json needs a valid bearer token.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { firstStartToken, TokenStore } from '../../common/tokens.ts';
import { apiSuite } from './api-harness.ts';

const suite = apiSuite();

function assertUnauthorized(reply: { status: number; headers: Headers; json: { title?: string } }): void {
  assert.equal(reply.status, 401);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(reply.json.title, 'Unauthorized');
  assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer/);
}

test('no token, a wrong token and a malformed header are refused with 401 problem+json', async () => {
  for (const path of ['/v1/clusters', '/v1/operations/x.y', '/v1/nowhere']) {
    assertUnauthorized(await suite.api.request('GET', path, { token: null }));
    assertUnauthorized(await suite.api.request('GET', path, { token: 'zke_wrong' }));
  }
  const res = await fetch(`${suite.api.url}/v1/clusters`, {
    headers: { authorization: `Basic ${suite.api.token}` },
  });
  assert.equal(res.status, 401);
});

test('/openapi.json answers without a token, like /docs: the reference is public, the API is not', async () => {
  const doc = await suite.api.request('GET', '/openapi.json', { token: null });
  assert.equal(doc.status, 200);
  assert.equal(doc.json.openapi, '3.1.0');
  assert.deepEqual(
    doc.json.security,
    [{ bearerAuth: [] }],
    'it says the endpoints it describes need a token',
  );
  assert.equal((await suite.api.request('GET', '/docs', { token: null })).status, 200);
});

test('a valid token is accepted; once revoked it is refused without restarting the API', async () => {
  const token = suite.api.tokens.create('ci');
  assert.equal((await suite.api.request('GET', '/v1/clusters', { token })).status, 200);
  assert.equal(suite.api.tokens.revoke('ci'), true);
  assertUnauthorized(await suite.api.request('GET', '/v1/clusters', { token }));
  assert.equal((await suite.api.request('GET', '/v1/clusters')).status, 200, 'other tokens still work');
});

test('mutating requests without a token are refused before their body is looked at', async () => {
  assertUnauthorized(
    await suite.api.request('POST', '/v1/clusters', { token: null, body: 'cluster_name: x\n' }),
  );
  assert.deepEqual(suite.api.store.clusters(), []);
});

test('/healthz and the /docs shell need no token; /docs embeds no data', async () => {
  const health = await suite.api.request('GET', '/healthz', { token: null });
  assert.ok([200, 503].includes(health.status));
  assert.equal(typeof health.json.temporal.reachable, 'boolean');
  const docs = await suite.api.request('GET', '/docs', { token: null });
  assert.equal(docs.status, 200);
  assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
  assert.ok(!docs.text.includes(suite.api.token));
  assert.doesNotMatch(docs.text, /https?:\/\//, 'no CDN or external resource');
});

test('tokens are stored hashed in a 0600 file; the first start creates exactly one token', () => {
  const file = `${suite.api.home}/first/tokens.json`;
  const store = new TokenStore(file);
  const first = firstStartToken(store) ?? assert.fail('no token on first start');
  assert.ok(first.startsWith('zke_'));
  assert.equal(firstStartToken(store), undefined, 'not regenerated on the next start');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const content = fs.readFileSync(file, 'utf8');
  assert.ok(!content.includes(first), 'plain token not stored');
  assert.deepEqual(
    store.list().map((x) => x.name),
    ['admin'],
  );
  assert.equal(store.verify(first), 'admin');
  assert.throws(() => store.create('admin'), /already exists/);
  assert.throws(() => store.create('bad name'), /invalid token name/);
  assert.equal(store.revoke('nope'), false);
});

test('the listing is the same from the server fast path (/v1/clusters) and from the app (/v1/clusters/)', async () => {
  const fast = await suite.api.request('GET', '/v1/clusters');
  const app = await suite.api.request('GET', '/v1/clusters/');
  assert.equal(fast.status, 200);
  assert.equal(app.status, 200);
  assert.deepEqual(fast.json, app.json);
  assert.equal(fast.headers.get('content-type'), app.headers.get('content-type'));
  const refused = await suite.api.request('GET', '/v1/clusters', { token: 'zke_wrong' });
  assert.equal(refused.status, 401, 'a refused token still gets the app answer');
});
