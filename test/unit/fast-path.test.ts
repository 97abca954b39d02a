// The server's fast path (api/http/fastPath.ts) answers probes and hot reads by a token allowed to read them, and
// hands everything else to the app untouched: the app's answers (401, 403, errors) stay the only ones.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { fastPath } from '../../api/http/fastPath.ts';
import { TokenStore } from '../../common/tokens.ts';
import { tempDir } from '../support/tempDir.ts';

const tokens = new TokenStore(path.join(tempDir('zke-fast-path'), 'tokens.json'));
const admin = tokens.create('admin', 'admin');
const codec = tokens.create('codec', 'codec');
let listing: () => Promise<string> = async () => '{"clusters":[]}';
const reads = new Map([['/v1/clusters', { scope: 'read' as const, json: () => listing() }]]);

interface Outcome {
  by: 'fast path' | 'probe' | 'app';
  status?: number;
  headers?: Record<string, unknown>;
  body?: string;
}

/** Sends one request through the fast path; resolves with who answered it. */
function send(method: string, url: string, token?: string): Promise<Outcome> {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const req = { method, url, headers } as IncomingMessage;
  return new Promise((resolve) => {
    const res = {
      writeHead(status: number, h: Record<string, unknown>) {
        Object.assign(this, { status, h });
      },
      end(this: { status: number; h: Record<string, unknown> }, body: string) {
        resolve({ by: 'fast path', status: this.status, headers: this.h, body });
      },
    } as unknown as ServerResponse;
    const probe = () => resolve({ by: 'probe' });
    fastPath({ probe, tokens, reads })(req, res, () => resolve({ by: 'app' }));
  });
}

test('a listing by a token that may read is answered on the fast path, as JSON with its length', async () => {
  const got = await send('GET', '/v1/clusters?ignored=1', admin);
  assert.equal(got.by, 'fast path');
  assert.equal(got.status, 200);
  assert.equal(got.body, '{"clusters":[]}');
  assert.deepEqual(got.headers, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': 15 });
});

test('GET and HEAD /healthz go to the probe, with or without a query and a token', async () => {
  for (const [method, url] of [
    ['GET', '/healthz'],
    ['HEAD', '/healthz?verbose'],
  ])
    assert.equal((await send(method, url)).by, 'probe');
});

test('no token, a wrong one, a codec token, another method or path: the app answers', async () => {
  const toApp: [string, string, string | undefined][] = [
    ['GET', '/v1/clusters', undefined],
    ['GET', '/v1/clusters', 'zke_wrong'],
    ['GET', '/v1/clusters', codec],
    ['POST', '/v1/clusters', admin],
    ['POST', '/healthz', undefined],
    ['GET', '/v1/clusters/', admin],
    ['GET', '/v1/clusters/a', admin],
  ];
  for (const [method, url, token] of toApp)
    assert.equal((await send(method, url, token)).by, 'app', `${method} ${url} with ${token ?? 'no token'}`);
});

test('a listing that fails goes to the app, which answers the failure as it always does', async () => {
  listing = () => Promise.reject(new Error('Temporal did not answer'));
  try {
    assert.equal((await send('GET', '/v1/clusters', admin)).by, 'app');
  } finally {
    listing = async () => '{"clusters":[]}';
  }
});
