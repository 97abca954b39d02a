// The Temporal UI's codec endpoint: decodes the service's encrypted payloads with a path token; refuses others.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { CODEC_TOKEN_NAME, renewCodecToken } from '../../api/codec.ts';
import { EncryptionCodec } from '../../common/codec.ts';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { keyringPath } from '../../common/temporal.ts';
import { type TestTemporal, testTemporal } from '../support/temporal.ts';
import { startApi, type TestApi } from './api-harness.ts';

let t: TestTemporal;
let api: TestApi;
before(async () => {
  t = await testTemporal();
  api = await startApi(t);
});
after(async () => {
  await api.close();
  await t.close();
});

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

test('the codec endpoint decodes encrypted payloads for the Web UI, behind its token', async () => {
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

test('the codec endpoint checks the token before reading the body; its 413 names its 4 MiB limit', async () => {
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
