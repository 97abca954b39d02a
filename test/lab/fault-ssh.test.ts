// SSH faults during provisioning on 2 lab hosts (zlab1 etcd+controlplane+worker, zlab2 worker only): a worker's
// sshd stopped for 30 s mid-step is retried through; a worker-only host that is gone is skipped and reported,
// and provisioning again once it is back leaves nothing skipped; the etcd/controlplane host gone fails the run
// naming it. Run alone with e.g. `ZLAB_ID=5 node --import tsx --test test/lab/fault-ssh.test.ts`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { OperationResult } from '../../workflows/types.ts';
import { causes, k8sSkipReason, type RoleMap } from '../support/cluster.ts';
import { labFault, outcome, retriedAttempts, useFaultLab, waitForStatus } from '../support/faults.ts';

const skip = k8sSkipReason();
const CLUSTER = 'faultssh';
const ROLES: RoleMap = { zlab1: ['etcd', 'controlplane', 'worker'], zlab2: ['worker'] };
const { start } = useFaultLab(2, CLUSTER, ROLES, skip);

async function succeeded(handle: WorkflowHandle): Promise<OperationResult> {
  const result = await outcome(handle);
  if (result instanceof Error) assert.fail(`the run failed: ${causes(result)}`);
  assert.equal(result.status.phase, 'succeeded', result.summary);
  return result;
}

test(
  "a worker's sshd stopped for 30 s in the worker plane step: the run completes",
  { skip, timeout: 600_000 },
  async (ctx) => {
    const handle = await start();
    await waitForStatus(handle, 'worker plane', (s) => s.step === 'worker plane');
    await labFault('sshd-stop', 'zlab2');
    await new Promise((r) => setTimeout(r, 30_000));
    await labFault('sshd-start', 'zlab2');
    const result = await succeeded(handle);
    assert.deepEqual(result.skippedHosts, []);
    ctx.diagnostic(`activity retries: ${await retriedAttempts(handle)}`);
  },
);

test(
  'a worker-only host lost for good is skipped and reported; back again, nothing is skipped',
  { skip, timeout: 600_000 },
  async (ctx) => {
    await labFault('kill-host', 'zlab2');
    const startedAt = Date.now();
    const lost = await succeeded(await start());
    ctx.diagnostic(`run with zlab2 down: ${Math.round((Date.now() - startedAt) / 1000)} s`);
    assert.deepEqual(lost.skippedHosts, ['zlab2']);
    assert.equal(lost.summary, 'incomplete: hosts [zlab2] skipped');
    assert.equal(lost.status.hosts.zlab2?.state, 'skipped');

    await labFault('start-host', 'zlab2');
    const back = await succeeded(await start());
    assert.deepEqual(back.skippedHosts, []);
    assert.equal(back.summary, 'provision succeeded');
  },
);

test(
  'the etcd/controlplane host down: the run fails naming that host; back again, the next run succeeds',
  { skip, timeout: 600_000 },
  async (ctx) => {
    await labFault('kill-host', 'zlab1');
    const startedAt = Date.now();
    const failure = await outcome(await start());
    ctx.diagnostic(`failed after ${Math.round((Date.now() - startedAt) / 1000)} s`);
    assert.ok(failure instanceof Error, 'the run failed');
    assert.match(causes(failure), /check hosts failed on 1 host\(s\): zlab1: /);
    assert.doesNotMatch(causes(failure), /zlab2:/);

    await labFault('start-host', 'zlab1');
    const back = await succeeded(await start());
    assert.deepEqual(back.skippedHosts, []);
  },
);
