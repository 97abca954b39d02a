// Activities built by createActivities run with the deps they were given: the store they read and write,
// the clock of the times they record, and the factory of their SSH sessions. Two sets in one process keep
// to their own deps, and a call outside any set uses the real ones.
import './lifecycle-env.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CurrentState } from '../../activities/clusterState.ts';
import { type ActivityDeps, realDeps } from '../../activities/deps.ts';
import { createActivities } from '../../activities/index.ts';
import type { OperationStatus } from '../../common/operations.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { type TestDeps, testDeps } from '../support/activityDeps.ts';

const parsed = parseClusterSpec({
  cluster_name: 'd',
  nodes: [{ name: 'a', address: '10.0.0.7', roles: ['etcd', 'controlplane', 'worker'] }],
});
if (!parsed.ok) throw new Error('bad spec');
const spec = parsed.spec;

/** Test deps whose store holds revision 1 of cluster d. */
function fakeDeps(time: string): TestDeps {
  const deps = testDeps(time);
  deps.store.write('d', 'revision/1', { number: 1, spec, createdAt: time, source: 'test' });
  return deps;
}

function finishedAt(deps: ActivityDeps): string | undefined {
  return deps.store.read<CurrentState>('d', 'current')?.lastOperation?.finishedAt;
}

const succeeded = { phase: 'succeeded' } as OperationStatus;
const finish = { cluster: 'd', revision: 1, kind: 'provision', status: succeeded, summary: 'ok' } as const;

test('an operation is recorded in the given store, at the given clock time', async () => {
  const deps = fakeDeps('2031-02-03T04:05:06.000Z');
  const state = await createActivities(deps).recordOperation(finish);
  assert.equal(state.lastOperation?.finishedAt, '2031-02-03T04:05:06.000Z');
  assert.equal(finishedAt(deps), state.lastOperation?.finishedAt);
  assert.equal(realDeps().store.read('d', 'current'), undefined, 'nothing reaches the default store');
});

test('two activity sets in one process, called at once, each keep to their own deps', async () => {
  const one = fakeDeps('2031-01-01T00:00:00.000Z');
  const two = fakeDeps('2032-01-01T00:00:00.000Z');
  await Promise.all([
    createActivities(one).recordOperation(finish),
    createActivities(two).recordOperation(finish),
  ]);
  assert.equal(finishedAt(one), '2031-01-01T00:00:00.000Z');
  assert.equal(finishedAt(two), '2032-01-01T00:00:00.000Z');
});

test('a host check opens its session through the given factory, with the host key pinned in the given store', async () => {
  const deps = fakeDeps('2031-02-03T04:05:06.000Z');
  deps.store.write('d', 'hostkeys/a', { fingerprint: 'SHA256:pinned' });
  await assert.rejects(
    createActivities(deps).checkClusterHost({ cluster: 'd', host: 'a' }),
    /a: no hosts in this test/,
  );
  assert.deepEqual(
    deps.opened.map((t) => [t.host, t.address, t.hostKey]),
    [['a', '10.0.0.7', 'SHA256:pinned']],
  );
});
