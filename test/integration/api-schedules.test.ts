// Schedules: recurring rotation and snapshots as Temporal Schedules, created, listed, paused, changed, deleted.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { scheduleId } from '../../common/schedules.ts';
import { apiSuite, terminateCluster, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();
const name = `sched-${Date.now().toString(36)}`;

after(async () => {
  for (const kind of ['rotation', 'snapshot'] as const) {
    await suite.t?.client.schedule
      .getHandle(scheduleId(name, kind))
      .delete()
      .catch(() => undefined);
  }
});

test('create, list, pause, change interval and delete schedules', async () => {
  const { api } = suite;
  const base = `/v1/clusters/${name}/schedules`;
  assert.equal(
    (await api.request('POST', `${base}/rotation`, { body: { interval: '30d' } })).status,
    404,
    'no cluster yet',
  );
  assert.equal((await api.request('POST', '/v1/clusters', { body: unreachableSpec(name) })).status, 202);
  await terminateCluster(suite.t, name);

  const created = await api.request('POST', `${base}/rotation`, { body: { interval: '30d' } });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(
    [created.json.kind, created.json.interval, created.json.paused],
    ['rotation', '30d', false],
  );
  assert.ok(Date.parse(created.json.nextRunAt) > Date.now());
  const snapshot = await api.request('POST', `${base}/snapshot`, { body: { interval: '12h', paused: true } });
  assert.equal(snapshot.json.paused, true);

  const described = await suite.t.client.schedule.getHandle(scheduleId(name, 'rotation')).describe();
  assert.equal(described.action.type, 'startWorkflow');
  assert.equal(described.action.workflowType, 'scheduledOperation');
  assert.deepEqual(described.action.args, [{ cluster: name, operation: 'rotate-certificates' }]);
  assert.equal(described.action.taskQueue, api.taskQueue);

  const duplicate = await api.request('POST', `${base}/rotation`, { body: { interval: '1d' } });
  assert.equal(duplicate.status, 409);

  const list = await api.request('GET', base);
  assert.deepEqual(
    list.json.schedules.map((s: { kind: string }) => s.kind),
    ['rotation', 'snapshot'],
  );

  const paused = await api.request('PATCH', `${base}/rotation`, { body: { paused: true, interval: '7d' } });
  assert.equal(paused.status, 200, paused.text);
  assert.deepEqual([paused.json.paused, paused.json.interval], [true, '7d']);
  const resumed = await api.request('PATCH', `${base}/rotation`, { body: { paused: false } });
  assert.equal(resumed.json.paused, false);

  const bad = await api.request('PATCH', `${base}/rotation`, { body: { interval: 'often' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.errors[0].path, 'interval');
  assert.equal((await api.request('POST', `${base}/weekly`, { body: { interval: '1d' } })).status, 404);

  assert.equal((await api.request('DELETE', `${base}/rotation`)).status, 204);
  assert.equal((await api.request('GET', `${base}/rotation`)).status, 404);
  assert.equal((await api.request('DELETE', `${base}/rotation`)).status, 404);
  const left = await api.request('GET', base);
  assert.deepEqual(
    left.json.schedules.map((s: { kind: string }) => s.kind),
    ['snapshot'],
  );
});
