// zke's Temporal connections: mTLS from the ZKE_TEMPORAL_TLS_* files, plain gRPC without them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { temporalTls } from '../../common/temporal.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-tls');
const file = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
const NAMES = ['CA', 'CERT', 'KEY', 'SERVER_NAME'].map((n) => `ZKE_TEMPORAL_TLS_${n}`);

afterEach(() => {
  for (const name of NAMES) delete process.env[name];
});

test('without ZKE_TEMPORAL_TLS_* the connection is plain', () => {
  assert.equal(temporalTls(), undefined);
});

test('the CA, the client certificate pair and the server name come from the files the variables name', () => {
  process.env.ZKE_TEMPORAL_TLS_CA = file('ca.pem', 'CA');
  process.env.ZKE_TEMPORAL_TLS_CERT = file('client.pem', 'CERT');
  process.env.ZKE_TEMPORAL_TLS_KEY = file('client.key', 'KEY');
  process.env.ZKE_TEMPORAL_TLS_SERVER_NAME = 'temporal.internal';
  const tls = temporalTls();
  assert.equal(tls?.serverRootCACertificate?.toString(), 'CA');
  assert.equal(tls?.clientCertPair?.crt.toString(), 'CERT');
  assert.equal(tls?.clientCertPair?.key.toString(), 'KEY');
  assert.equal(tls?.serverNameOverride, 'temporal.internal');
});

test('a client certificate without its key is refused, naming both variables', () => {
  process.env.ZKE_TEMPORAL_TLS_CERT = file('client.pem', 'CERT');
  assert.throws(() => temporalTls(), /ZKE_TEMPORAL_TLS_CERT and ZKE_TEMPORAL_TLS_KEY/);
});
