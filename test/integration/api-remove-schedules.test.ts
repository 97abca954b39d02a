import './api-home.ts';
// Removing a cluster (zke remove, and --forget) deletes its Temporal Schedules: a recurring rotation or snapshot
// must not go on firing for a cluster that is gone. Real worker; cleaning a host is a stand-in (no lab).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { Activities } from '../../activities/index.ts';
import { SCHEDULE_KINDS, scheduleId } from '../../common/schedules.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { apiSuite, terminateCluster, unreachableSpec } from './api-harness.ts';

const cleanHost: Activities['cleanHost'] = async ({ host }) => ({ host, containersRemoved: [] });
const suite = apiSuite({ worker: true, activities: { ...fakeHosts, cleanHost } });

async function scheduleExists(cluster: string, kind: (typeof SCHEDULE_KINDS)[number]): Promise<boolean> {
  try {
    await suite.t.client.schedule.getHandle(scheduleId(cluster, kind)).describe();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

/** The operation's state once it has ended (polled; the remove steps are instant here). */
async function ended(operationUrl: string): Promise<{ state: string; error?: string }> {
  for (let i = 0; i < 300; i++) {
    const op = await suite.api.request('GET', operationUrl);
    if (op.json.state !== 'running') return op.json;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${operationUrl} still running`);
}

for (const forget of [false, true]) {
  test(`DELETE${forget ? ' ?forget=true' : ''} deletes the cluster's schedules with it`, async () => {
    const { api } = suite;
    const name = `sched-${forget ? 'forget' : 'remove'}-${Date.now().toString(36)}`;
    assert.equal((await api.request('POST', '/v1/clusters', { body: unreachableSpec(name) })).status, 202);
    await terminateCluster(suite.t, name); // the provision is not needed: the cluster exists with revision 1
    for (const kind of SCHEDULE_KINDS) {
      const created = await api.request('POST', `/v1/clusters/${name}/schedules/${kind}`, {
        body: { interval: '30d' },
      });
      assert.equal(created.status, 201, created.text);
      assert.ok(await scheduleExists(name, kind));
    }

    const removed = await api.request('DELETE', `/v1/clusters/${name}${forget ? '?forget=true' : ''}`);
    assert.equal(removed.status, 202, removed.text);
    const operation = await ended(removed.json.location);
    assert.equal(operation.state, 'succeeded', operation.error);

    assert.equal((await api.request('GET', `/v1/clusters/${name}`)).status, 404);
    for (const kind of SCHEDULE_KINDS)
      assert.equal(await scheduleExists(name, kind), false, `the ${kind} schedule is gone`);
    const schedules = await api.request('GET', `/v1/clusters/${name}/schedules`);
    assert.equal(schedules.status, 404, 'nor listed for the cluster');
  });
}
