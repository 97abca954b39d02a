// The secrets encryption key's rotation stages in the store (activities/encryptionKey.ts on a store of its own):
// each stage is idempotent, a stopped rotation goes on with its new key, and dropping the old key when no
// rotation is under way never drops the key in use.
import './lifecycle-env.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createActivities } from '../../activities/index.ts';
import { ENCRYPTION_KEYS_RECORD } from '../../common/stateExport.ts';
import { keyRotationPlanSteps, rotationKeys } from '../../model/plan/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { testDeps } from '../support/activityDeps.ts';

const deps = testDeps('2031-05-06T07:08:09.000Z');
const { stageEncryptionKey } = createActivities(deps);
const store = deps.store;

function cluster(name: string, kubeApi: Record<string, unknown>, keys: string[]) {
  const parsed = parseClusterSpec({
    cluster_name: name,
    nodes: [
      { name: 'a', address: '10.0.0.1', roles: ['etcd', 'controlplane', 'worker'] },
      { name: 'b', address: '10.0.0.2', roles: ['controlplane'] },
      { name: 'c', address: '10.0.0.3', roles: ['worker'] },
    ],
    services: { 'kube-api': kubeApi },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  store.write(name, 'revision/1', { number: 1, spec: parsed.spec, createdAt: 'now', source: 'test' });
  const record = { keys: keys.map((k) => ({ name: k, secret: `secret-of-${k}` })) };
  if (keys.length) store.write(name, ENCRYPTION_KEYS_RECORD, record);
  return { cluster: name, revision: 1 };
}

const stored = (name: string) =>
  store.read<{ keys: { name: string; secret: string }[]; rotation?: object }>(name, ENCRYPTION_KEYS_RECORD)!;
const NEW = `zke-${Date.parse('2031-05-06T07:08:09.000Z')}`; // named by the test clock

test('the stages move the keys [k1] → [k1, new] → [new, k1] → [new]; each one twice changes nothing', async () => {
  const ref = cluster('stages', { secrets_encryption_config: { enabled: true } }, ['k1']);
  for (const [stage, keys] of [
    ['new key readable', ['k1', NEW]],
    ['new key writes', [NEW, 'k1']],
    ['old key dropped', [NEW]],
  ] as const) {
    assert.deepEqual(await stageEncryptionKey({ ...ref, stage }), { keys: [...keys] }, stage);
    assert.deepEqual(await stageEncryptionKey({ ...ref, stage }), { keys: [...keys] }, `${stage} again`);
    assert.deepEqual(
      stored('stages').keys.map((k) => k.name),
      keys,
    );
  }
  assert.equal(stored('stages').rotation, undefined, 'no rotation under way once the old key is dropped');
  assert.deepEqual(stored('stages').keys, [{ name: NEW, secret: stored('stages').keys[0]!.secret }]);
  assert.match(stored('stages').keys[0]!.secret, /^[A-Za-z0-9+/]{43}=$/);
});

test('a rotation that stopped half-way goes on with its new key; a new one starts from the key in use', async () => {
  const ref = cluster('resume', { secrets_encryption_config: { enabled: true } }, ['k1']);
  await stageEncryptionKey({ ...ref, stage: 'new key readable' });
  await stageEncryptionKey({ ...ref, stage: 'new key writes' });
  const { secret } = stored('resume').keys[0]!;
  // a new run starts at the first stage again: the same new key, only read again
  assert.deepEqual(await stageEncryptionKey({ ...ref, stage: 'new key readable' }), { keys: ['k1', NEW] });
  assert.equal(stored('resume').keys[1]!.secret, secret, 'the same key');
  await stageEncryptionKey({ ...ref, stage: 'new key writes' });
  await stageEncryptionKey({ ...ref, stage: 'old key dropped' });
  assert.deepEqual(await stageEncryptionKey({ ...ref, stage: 'old key dropped' }), { keys: [NEW] });
});

test('refused without a key of zke: encryption off, a custom_config, or no key made yet', async () => {
  const refusal = async (name: string, kubeApi: Record<string, unknown>, keys: string[]) => {
    const ref = cluster(name, kubeApi, keys);
    const error = await stageEncryptionKey({ ...ref, stage: 'new key readable' }).then(
      () => undefined,
      (e: Error & { nonRetryable?: boolean }) => e,
    );
    assert.ok(error?.nonRetryable, `${name}: refused for good`);
    return error.message;
  };
  assert.match(await refusal('off', {}, ['k1']), /does not encrypt Secrets/);
  const custom = {
    secrets_encryption_config: {
      enabled: true,
      custom_config: {
        apiVersion: 'apiserver.config.k8s.io/v1',
        kind: 'EncryptionConfiguration',
        resources: [{ resources: ['secrets'], providers: [{ identity: {} }] }],
      },
    },
  };
  assert.match(await refusal('custom', custom, []), /its own custom_config: rotate its keys there/);
  assert.match(
    await refusal('nokey', { secrets_encryption_config: { enabled: true } }, []),
    /run zke up first/,
  );
});

test('the plan: each key change on the controlplane hosts one at a time, the rewrite once, in that order', () => {
  const layout = {
    hosts: [
      { name: 'a', roles: ['etcd', 'controlplane', 'worker'] },
      { name: 'b', roles: ['controlplane'] },
      { name: 'c', roles: ['worker'] },
    ],
    maxParallelHosts: 5,
  };
  const steps = keyRotationPlanSteps(layout);
  assert.deepEqual(
    steps.map((s) => [s.name, s.hosts.join(','), s.run.mode, s.containers.join(',')]),
    [
      ['new key readable', 'a,b', 'one-at-a-time', 'kube-apiserver'],
      ['new key writes', 'a,b', 'one-at-a-time', 'kube-apiserver'],
      ['rewrite secrets', '', 'cluster', ''],
      ['old key dropped', 'a,b', 'one-at-a-time', 'kube-apiserver'],
    ],
  );
  const [o, n] = [
    { name: 'o', secret: 'x' },
    { name: 'n', secret: 'y' },
  ];
  assert.deepEqual(rotationKeys('new key readable', o, n), [o, n]);
  assert.deepEqual(rotationKeys('new key writes', o, n), [n, o]);
  assert.deepEqual(rotationKeys('old key dropped', o, n), [n]);
});

test('a snapshot brings back the keys of its time: taken before a rotation, its restore makes the old key the key again', async () => {
  const { recordSnapshot, restoreEncryptionKeys } = createActivities(deps);
  const ref = cluster('restored', { secrets_encryption_config: { enabled: true } }, ['k1']);
  const file = { host: 'a', path: '/opt/rke/etcd-snapshots/before', size: 1, sha256: '0'.repeat(64) };
  const snapshot = (name: string) => recordSnapshot({ ...ref, name, createdAt: 'then', files: [file] });
  assert.deepEqual((await snapshot('before')).encryptionKeys, ['k1'], 'a snapshot records the key names');
  assert.deepEqual(await restoreEncryptionKeys({ ...ref, snapshot: 'before' }), {
    keys: ['k1'],
    changed: false,
  });
  for (const stage of ['new key readable', 'new key writes', 'old key dropped'] as const)
    await stageEncryptionKey({ ...ref, stage });
  assert.deepEqual(
    store
      .read<{ retired: { name: string }[] }>('restored', ENCRYPTION_KEYS_RECORD)
      ?.retired.map((k) => k.name),
    ['k1'],
    'the rotated-out key is kept, retired',
  );
  assert.deepEqual(await restoreEncryptionKeys({ ...ref, snapshot: 'before' }), {
    keys: ['k1'],
    changed: true,
  });
  assert.deepEqual(
    stored('restored').keys,
    [{ name: 'k1', secret: 'secret-of-k1' }],
    'the old key writes again',
  );
  assert.deepEqual(await restoreEncryptionKeys({ ...ref, snapshot: 'before' }), {
    keys: ['k1'],
    changed: false,
  });
  assert.deepEqual(
    await restoreEncryptionKeys({ ...ref, snapshot: 'unrecorded' }),
    { keys: ['k1'], changed: false },
    'a snapshot that recorded no keys (one found only on a host or in S3) changes nothing',
  );
  store.write('restored', ENCRYPTION_KEYS_RECORD, { keys: [{ name: 'k9', secret: 's' }] });
  await assert.rejects(
    restoreEncryptionKeys({ ...ref, snapshot: 'before' }),
    (err: Error & { nonRetryable?: boolean }) => {
      assert.match(err.message, /taken under encryption key\(s\) k1, which zke no longer has/);
      return err.nonRetryable === true;
    },
  );
});

test("a rollback's restore keeps the current keys readable behind the snapshot's: its files go out before etcd is restored", async () => {
  const { recordSnapshot, restoreEncryptionKeys } = createActivities(deps);
  const ref = cluster('rolled', { secrets_encryption_config: { enabled: true } }, ['k1']);
  const file = { host: 'a', path: '/opt/rke/etcd-snapshots/up', size: 1, sha256: '0'.repeat(64) };
  await recordSnapshot({ ...ref, name: 'up', createdAt: 'then', files: [file] });
  for (const stage of ['new key readable', 'new key writes', 'old key dropped'] as const)
    await stageEncryptionKey({ ...ref, stage });
  const [rotated] = stored('rolled').keys.map((k) => k.name);
  const restore = { ...ref, snapshot: 'up', keepCurrent: true };
  assert.deepEqual(await restoreEncryptionKeys(restore), { keys: ['k1', rotated], changed: true });
  assert.deepEqual(
    stored('rolled').keys.map((k) => k.name),
    ['k1', rotated],
    "the snapshot's key writes, the rotated one still reads",
  );
  assert.deepEqual(await restoreEncryptionKeys(restore), { keys: ['k1', rotated], changed: false }, 'again');
});
