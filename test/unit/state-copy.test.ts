// The sealed copy of a cluster's record that zke keeps on its hosts (common/stateCopy.ts): every record but the
// transient ones goes in, it opens only with the keyring that sealed it (each other case says what to do), and
// restoring it writes the records back as they were.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { existingKeyring, loadOrCreateKeyring } from '../../common/keyring.ts';
import {
  collectStateCopy,
  openStateCopy,
  restoreStateCopy,
  sealStateCopy,
  UnusableStateCopy,
} from '../../common/stateCopy.ts';
import { FileClusterStore } from '../../common/store.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-state-copy');
const ring = loadOrCreateKeyring(path.join(dir, 'ring.json'));
const store = new FileClusterStore(path.join(dir, 'clusters'));
store.write('c', 'current', { revision: 2, phase: 'running' });
store.write('c', 'revision/2', { number: 2, spec: { clusterName: 'c' } });
store.write('c', 'hostkeys/n1', { fingerprint: 'SHA256:abc' });
store.write('c', 'last-status', { phase: 'succeeded' });

test('the copy holds every record but the last status, and opens with the keyring that sealed it', () => {
  const copy = collectStateCopy(store, 'c', '2031-01-01T00:00:00.000Z');
  assert.deepEqual(Object.keys(copy.records), ['current', 'hostkeys/n1', 'revision/2']);
  const text = sealStateCopy(ring, copy);
  assert.doesNotMatch(text, /SHA256:abc|clusterName/, 'sealed: nothing readable');
  assert.deepEqual(openStateCopy(ring, text, '/x', 'ring.json'), copy);

  const fresh = new FileClusterStore(path.join(dir, 'fresh'));
  assert.deepEqual(restoreStateCopy(fresh, copy), ['current', 'hostkeys/n1', 'revision/2']);
  assert.deepEqual(fresh.read('c', 'hostkeys/n1'), { fingerprint: 'SHA256:abc' });
});

test('another keyring, a missing key, a damaged or foreign file: refused, saying what to do', () => {
  const text = sealStateCopy(ring, collectStateCopy(store, 'c', 'now'));
  const other = loadOrCreateKeyring(path.join(dir, 'other.json')); // a new ZKE_HOME's: also "k1"
  const refused = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (err: Error) => err instanceof UnusableStateCopy && message.test(err.message));
  refused(
    () => openStateCopy(other, text, '/etc/x', 'other.json'),
    /^\/etc\/x does not open with key "k1" of the keyring other.json: another keyring sealed it \(zke recover needs the one zke used\)/,
  );
  refused(
    () => openStateCopy({ current: 'k9', keys: { k9: ring.keys.k1! } }, text, '/etc/x', 'r.json'),
    /sealed with payload key "k1", which the keyring r.json lacks: zke recover needs the keyring zke used/,
  );
  refused(() => openStateCopy(ring, 'hello', '/etc/x', 'r'), /^\/etc\/x is not a zke state copy/);
  assert.throws(
    () => existingKeyring(path.join(dir, 'none.json')),
    /no payload keyring at .*none.json: put the keyring zke used there/,
  );
});
