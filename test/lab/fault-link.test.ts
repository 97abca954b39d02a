// A host's network link cut in the middle of a provision step (inside its namespace): the run fails within the
// step's retry bound, naming the host and the step, both in the failure and in the status query; with the link
// back, provisioning again completes. Run alone with e.g. `ZLAB_ID=6 node --import tsx --test test/lab/fault-link.test.ts`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusQuery } from '../../workflows/types.ts';
import { causes, k8sSkipReason, type RoleMap } from '../support/cluster.ts';
import { labFault, outcome, retriedAttempts, useFaultLab, waitForStatus } from '../support/faults.ts';

const skip = k8sSkipReason();
const CLUSTER = 'faultlink';
const ROLES: RoleMap = { zlab1: ['etcd', 'controlplane', 'worker'], zlab2: ['worker'] };
const { start } = useFaultLab(2, CLUSTER, ROLES, skip);

test(
  'link down mid-step fails the run naming host and step; link up, provisioning again completes',
  { skip, timeout: 1_200_000 },
  async (ctx) => {
    const handle = await start();
    await waitForStatus(handle, 'worker plane', (s) => s.step === 'worker plane');
    await labFault('link-down', 'zlab2');
    const cutAt = Date.now();
    const failure = await outcome(handle, 900_000);
    ctx.diagnostic(`failed ${Math.round((Date.now() - cutAt) / 1000)} s after the link went down`);
    ctx.diagnostic(`activity retries: ${await retriedAttempts(handle)}`);
    assert.ok(failure instanceof Error, 'the run failed');
    assert.match(causes(failure), /worker plane failed on 1 host\(s\): zlab2: /);
    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'failed');
    assert.equal(status.hosts.zlab2?.state, 'failed');
    assert.equal(status.hosts.zlab2?.step, 'worker plane');

    await labFault('link-up', 'zlab2');
    const again = await outcome(await start());
    if (again instanceof Error) assert.fail(`provisioning again failed: ${causes(again)}`);
    assert.equal(again.status.phase, 'succeeded', again.summary);
    assert.deepEqual(again.skippedHosts, []);
  },
);
