// The payload codec and the cluster store keep secrets encrypted, and survive a key rotation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec } from '../../common/codec.ts';
import { loadOrCreateKeyring, rotateKeyring } from '../../common/keyring.ts';
import { FileClusterStore } from '../../common/store.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-secrets');
const keyringFile = path.join(dir, 'keyring.json');
process.env.ZKE_KEYRING = keyringFile;
const SECRET = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';

test('payloads leave encrypted, decode back, and still decode after the keyring rotates', async () => {
  const payload = defaultPayloadConverter.toPayload({ key: SECRET });
  const codec = new EncryptionCodec(loadOrCreateKeyring(keyringFile));
  const [encoded] = await codec.encode([payload]);
  assert.ok(
    !Buffer.from(encoded.data!).toString('latin1').includes('PRIVATE KEY'),
    'no plaintext in the payload',
  );
  assert.equal(Buffer.from(encoded.metadata!.encoding!).toString(), 'binary/encrypted');

  const rotated = new EncryptionCodec(rotateKeyring(keyringFile));
  const [decoded] = await rotated.decode([encoded]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), { key: SECRET });
  const [fresh] = await rotated.encode([payload]);
  assert.equal(
    Buffer.from(fresh.metadata!['encryption-key-id']!).toString(),
    'k2',
    'new payloads use the new key',
  );
  assert.equal(fs.statSync(keyringFile).mode & 0o777, 0o600);
});

test('a tampered payload is refused', async () => {
  const codec = new EncryptionCodec(loadOrCreateKeyring(keyringFile));
  const [encoded] = await codec.encode([defaultPayloadConverter.toPayload('x')]);
  const data = Buffer.from(encoded.data!);
  data[20] ^= 0xff;
  await assert.rejects(codec.decode([{ ...encoded, data }]));
});

test('the cluster store encrypts at rest, lists keys, and rejects path tricks', () => {
  const store = new FileClusterStore(path.join(dir, 'clusters'));
  store.write('c1', 'pki', { 'kube-ca': { keyPem: SECRET } });
  store.write('c1', 'revision/1', { number: 1 });
  store.write('c1', 'revision/2', { number: 2 });
  const file = path.join(dir, 'clusters', 'c1', 'pki.json');
  assert.ok(!fs.readFileSync(file, 'utf8').includes('PRIVATE KEY'));
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(store.read('c1', 'pki'), { 'kube-ca': { keyPem: SECRET } });
  assert.deepEqual(store.keys('c1', 'revision/'), ['revision/1', 'revision/2']);
  assert.deepEqual(store.clusters(), ['c1']);
  assert.throws(() => store.write('../etc', 'x', {}), /invalid store name/);
  assert.throws(() => store.read('c1', '../../x'), /invalid store name/);
  store.remove('c1');
  assert.equal(store.read('c1', 'pki'), undefined);
});

test('zke keys rotate adds a current key and keeps the old ones', async () => {
  const { spawnSync } = await import('node:child_process');
  const home = tempDir('zke-keys');
  const env = { ...process.env, ZKE_HOME: home, ZKE_KEYRING: '' };
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/zke.mjs', 'keys', ...args, '--json'], { env, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(run('list').stdout).keys, ['k1']);
  const rotated = JSON.parse(run('rotate').stdout);
  assert.equal(rotated.current, 'k2');
  assert.deepEqual(rotated.keys, ['k1', 'k2']);
});

test('processes starting together (API and worker) end up with one keyring', async () => {
  const { spawn } = await import('node:child_process');
  const file = path.join(tempDir('zke-race'), 'keys', 'ring.json');
  const startAt = Date.now() + 2500; // all at once, once every process has loaded
  const script = `import { loadOrCreateKeyring } from './common/keyring.ts';
    while (Date.now() < ${startAt});
    process.stdout.write(JSON.stringify(loadOrCreateKeyring(${JSON.stringify(file)})));`;
  const started = Array.from({ length: 6 }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    return new Promise<string>((resolve) => child.on('close', () => resolve(out)));
  });
  const rings = (await Promise.all(started)).map((out) => JSON.parse(out));
  const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const ring of rings) assert.deepEqual(ring, onDisk);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['ring.json'], 'no temporary file left');
});
