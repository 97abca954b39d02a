// The Temporal UI's codec endpoint: decodes the service's encrypted payloads with a path token; refuses others.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { CODEC_TOKEN_NAME } from '../../api/codec.ts';
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
  const codecToken = api.tokens.create(CODEC_TOKEN_NAME);
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
