// SSH faults during provisioning on 2 lab hosts (zlab1 etcd+controlplane+worker, zlab2 worker only): a worker's
// sshd killed with the step's open session, for 20 s, fails that attempt and the retries ride it out; a
// worker-only host that is gone is skipped and reported, and provisioning again once it is back leaves nothing
// skipped; the etcd/controlplane host gone fails the run naming it. Run alone with e.g. `ZLAB_ID=5 node --import tsx --test test/lab/fault-ssh.test.ts`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { OperationResult } from '../../workflows/types.ts';
import { causes, k8sSkipReason, type RoleMap } from '../support/cluster.ts';
import { activityRuns, labFault, outcome, useFaultLab, waitForStatus } from '../support/faults.ts';
import { labExec } from '../support/lab.ts';

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

/** Waits until an ssh session to host is open (a child of its sshd listener); bounded. */
async function sessionOpen(host: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  const children = ['sh', '-c', 'pgrep -P "$(cat /run/sshd.pid)"'];
  while ((await labExec(host, children)).stdout.trim() === '') {
    if (Date.now() > deadline) throw new Error(`no ssh session to ${host} within 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The long step's retries (5 attempts, 2+4+8+16 s apart) span 30 s: an outage of 20 s is ridden out.
const OUTAGE_MS = 20_000;

test(
  "a worker's sshd killed with its open session for 20 s in the worker plane: the step retries and the run completes",
  { skip, timeout: 600_000 },
  async (ctx) => {
    const handle = await start();
    await waitForStatus(handle, 'worker plane', (s) => s.step === 'worker plane');
    await sessionOpen('zlab2'); // the worker plane's, the only client of zlab2 in this step
    const killed = await labFault('sshd-kill', 'zlab2');
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await labFault('sshd-start', 'zlab2');
    const result = await succeeded(handle);
    assert.deepEqual(result.skippedHosts, []);
    const runs = (await activityRuns(handle)).filter((r) => r.type === 'reconcileHost');
    const zlab2 = runs.find((r) => {
      const input = r.input as { host?: string; plane?: string } | undefined;
      return input?.host === 'zlab2' && input.plane === 'worker';
    });
    assert.ok(zlab2, `zlab2's worker plane ran: ${JSON.stringify(runs)}`);
    ctx.diagnostic(
      `${killed.trim()}; zlab2's worker plane: attempt ${zlab2.attempt}, before: ${zlab2.lastFailure}`,
    );
    assert.ok(zlab2.attempt > 1, `zlab2's worker plane was retried (attempt ${zlab2.attempt})`);
    assert.match(
      zlab2.lastFailure ?? '',
      /^zlab2: SSH to root@[\d.]+:22: /,
      'an attempt met the stopped sshd',
    );
    assert.match(
      killed,
      /zlab2: sshd stopped, [1-9]\d* open session\(s\) cut/,
      'the running session was cut',
    );
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
