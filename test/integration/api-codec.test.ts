import './api-home.ts';
// The Temporal UI's codec endpoint: decodes the service's encrypted payloads with a path token; refuses others.
// A failed operation's history, decoded the way the Web UI decodes it, shows the real failure messages.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { CODEC_TOKEN_NAME, renewCodecToken } from '../../api/codec.ts';
import { EncryptionCodec } from '../../common/codec.ts';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { keyringPath } from '../../common/temporal.ts';
import { clusterWorkflowId } from '../../workflows/types.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { apiSuite } from './api-harness.ts';

const REFUSED = 'SSH to 10.0.0.1:22: connection refused';
const REMOTE_OUTPUT = 'remote said: Permission denied (publickey) for core';
const refusing = {
  ...fakeHosts,
  checkClusterHost: async () => {
    throw ApplicationFailure.nonRetryable(`${REFUSED}\n${REMOTE_OUTPUT}`, 'HostUnreachable');
  },
};
const suite = apiSuite({ worker: true, activities: refusing });

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

test('the codec endpoint decodes encrypted payloads for the Web UI, behind its token', async () => {
  const { api } = suite;
  const codecToken = renewCodecToken(api.tokens);
  const [encrypted] = await new EncryptionCodec(loadOrCreateKeyring(keyringPath())).encode([
    defaultPayloadConverter.toPayload({ cluster: 'c1', revision: 3 }),
  ]);
  const body = {
    payloads: [
      {
        metadata: {
          encoding: b64(encrypted.metadata!.encoding!),
          'encryption-key-id': b64(encrypted.metadata!['encryption-key-id']!),
        },
        data: b64(encrypted.data!),
      },
    ],
  };

  const res = await fetch(`${api.url}/codec/${codecToken}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8233' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
  const decoded = (await res.json()) as { payloads: { data: string }[] };
  assert.deepEqual(JSON.parse(Buffer.from(decoded.payloads[0].data, 'base64').toString()), {
    cluster: 'c1',
    revision: 3,
  });

  const wrong = await fetch(`${api.url}/codec/not-a-token/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  api.tokens.revoke(CODEC_TOKEN_NAME);
  const revoked = await fetch(`${api.url}/codec/${codecToken}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(revoked.status, 401);
});

type Json = Record<string, unknown>;

/** What the Web UI does with a history: every `payloads` and `encodedAttributes` goes through /decode. */
async function decodeLikeTheUi(
  node: unknown,
  decode: (p: unknown[]) => Promise<unknown[]>,
): Promise<unknown> {
  if (Array.isArray(node)) return Promise.all(node.map((n) => decodeLikeTheUi(n, decode)));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'payloads' && Array.isArray(value)) out[key] = await decode(value);
    else if (key === 'encodedAttributes' && value) out[key] = (await decode([value]))[0];
    else out[key] = await decodeLikeTheUi(value, decode);
  }
  return out;
}

/** Every failure in the history (the `failure` of an event and its causes). */
function failures(node: unknown, out: Json[] = []): Json[] {
  if (!node || typeof node !== 'object') return out;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'failure' || key === 'cause') && value && typeof value === 'object') out.push(value as Json);
    failures(value, out);
  }
  return out;
}

test('a failed operation shows its real failure messages in the Web UI', { timeout: 60_000 }, async () => {
  const { api, t } = suite;
  const cluster = `codec-${Date.now().toString(36)}`;
  const spec = `cluster_name: ${cluster}\nnodes:\n  - address: 10.0.0.1\n    name: n1\n    roles: [etcd, controlplane, worker]\n`;
  const created = await api.request('POST', '/v1/clusters', { body: spec });
  assert.equal(created.status, 202, created.text);
  const handle = t.client.workflow.getHandle(clusterWorkflowId(cluster));
  await assert.rejects(handle.result());
  const { history } = await t.client.workflowService.getWorkflowExecutionHistory({
    namespace: 'default',
    execution: { workflowId: handle.workflowId },
  });
  const raw = JSON.parse(JSON.stringify(history)); // proto JSON, bytes in base64: what the UI fetches
  assert.doesNotMatch(
    JSON.stringify(raw),
    /remote said|PRIVATE KEY/,
    'only first lines are readable at rest',
  );

  const codecToken = renewCodecToken(api.tokens);
  const decode = async (payloads: unknown[]) => {
    const res = await fetch(`${api.url}/codec/${codecToken}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify({ payloads }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { payloads: { data: string }[] };
    return body.payloads.map((p) => JSON.parse(Buffer.from(p.data, 'base64').toString()));
  };
  const seen = failures(await decodeLikeTheUi(raw, decode));
  assert.ok(seen.length >= 2, 'the activity failure and the workflow failure');
  for (const failure of seen) {
    // The event list shows `message`; the expanded event shows the decoded attributes.
    assert.match(String(failure.message), new RegExp(`${REFUSED}$`), 'the row names the real cause');
    const decoded = failure.encodedAttributes as { message: string; stack_trace: string };
    assert.ok(decoded.message.endsWith(`${REFUSED}\n${REMOTE_OUTPUT}`), 'the full message, decoded');
  }
  const workflowFailure = seen.find((f) => String(f.message).startsWith('check hosts failed'));
  assert.ok(workflowFailure, `the workflow failure names the step: ${seen.map((f) => f.message)}`);
});

test('the codec endpoint checks the token before reading the body; its 413 names its 4 MiB limit', async () => {
  const { api } = suite;
  // A bad token is answered while the body is still on its way (only a tenth of it sent).
  const started = Date.now();
  const early = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${api.url}/codec/not-a-token/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(4_000_000) },
    });
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write(`{"payloads":[{"data":"${'A'.repeat(400_000)}`);
  });
  assert.equal(early, 401);
  assert.ok(Date.now() - started < 5000, 'answered without waiting for the rest of the body');
  const garbled = await fetch(`${api.url}/codec/not-a-token/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"payloads": [',
  });
  assert.equal(garbled.status, 401, 'not parsed: no 400 for a stranger');

  const token = api.tokens.create('codec-limit', 'codec');
  const tooLarge = await fetch(`${api.url}/codec/${token}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payloads: [{ data: 'A'.repeat(4 * 1024 * 1024) }] }),
  });
  assert.equal(tooLarge.status, 413);
  assert.equal((await tooLarge.json()).detail, 'the request body is larger than 4 MiB');
  const fits = await fetch(`${api.url}/codec/${token}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payloads: [], pad: 'A'.repeat(2 * 1024 * 1024) }),
  });
  assert.equal(fits.status, 200, 'between 1 and 4 MiB is accepted');
  const api413 = await api.request('POST', '/v1/clusters', { body: `#${'A'.repeat(1024 * 1024)}\n` });
  assert.equal(api413.status, 413);
  assert.equal(api413.json.detail, 'the request body is larger than 1 MiB');
});
