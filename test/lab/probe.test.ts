// Foundation end-to-end: a workflow whose activity reaches each lab host over SSH and asks its Docker. Host-key
// pinning: a wrong pinned key, and a key pinned at first contact that later changes, fail fast in one attempt.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { DockerApi } from '../../activities/docker/api.ts';
import { pinnedHostKey } from '../../activities/hostSession.ts';
import type { HostFacts } from '../../activities/hostsCheck.ts';
import { SshSession } from '../../activities/ssh/session.ts';
import type { SshTarget } from '../../activities/ssh/target.ts';
import { causes, labClusterYaml, parseOrThrow, submitRevision } from '../support/cluster.ts';
import { activityAttempts, outcome, startProvision, waitForStatus } from '../support/faults.ts';
import { LAB_SKIP_REASON, type LabHost, labDown, labExec, labSsh, labUp } from '../support/lab.ts';
import { startTestWorker, type TestTemporal, testTemporal } from '../support/temporal.ts';

const skip = LAB_SKIP_REASON;
let t: TestTemporal;
let hosts: LabHost[];

before(async () => {
  if (skip) return;
  t = await testTemporal();
  hosts = await labUp(3);
});
after(async () => {
  if (skip) return;
  await labDown();
  await t.close();
});

function targets(list: LabHost[], overrides: Partial<SshTarget> = {}): SshTarget[] {
  return list.map((h) => ({
    host: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    keyPath: labSsh.keyPath,
    ...overrides,
  }));
}

/** `text` as a literal inside a RegExp (fingerprints hold + and /). */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

test('probeHosts returns each host’s own hostname and the lab dockerd version', { skip }, async () => {
  const worker = await startTestWorker(t);
  try {
    const facts: HostFacts[] = await t.client.workflow.execute('probeHosts', {
      taskQueue: worker.taskQueue,
      workflowId: `probe-${Date.now()}`,
      args: [targets(hosts)],
    });
    assert.deepEqual(
      facts.map((f) => f.hostname),
      hosts.map((h) => h.name),
      'each host answers with its own name',
    );
    const expected = (
      await labExec('zlab1', ['docker', 'version', '--format', '{{.Server.Version}}'])
    ).stdout.trim();
    assert.match(expected, /^\d+\.\d+/);
    for (const f of facts) {
      assert.equal(f.dockerVersion, expected, `${f.host} runs the lab's dockerd`);
      assert.match(f.hostKey, /^SHA256:/);
    }
    assert.equal(new Set(facts.map((f) => f.hostKey)).size, hosts.length, 'every host has its own host key');
  } finally {
    await worker.stop();
  }
});

/** Fast means before a retry could have happened: shortStep's first retry waits 1 s, all five take 31 s. */
const FAST_MS = 10_000;

test(
  'a wrong pinned host key fails fast, non-retryable, in one attempt, naming the host',
  { skip },
  async (ctx) => {
    const worker = await startTestWorker(t);
    try {
      const wrong = targets(hosts.slice(0, 1), {
        hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      });
      const started = Date.now();
      const handle = await t.client.workflow.start('probeHosts', {
        taskQueue: worker.taskQueue,
        workflowId: `probe-bad-${Date.now()}`,
        args: [wrong],
      });
      const failure = await handle.result().then(
        () => assert.fail('probeHosts succeeded with a wrong pinned host key'),
        (err: Error) => err,
      );
      const elapsed = Date.now() - started;
      ctx.diagnostic(`failed after ${elapsed} ms`);
      assert.deepEqual(
        await activityAttempts(handle),
        [{ type: 'checkHost', attempt: 1 }],
        'one attempt, not retried',
      );
      assert.ok(elapsed < FAST_MS, `failed after ${elapsed} ms`);
      assert.match(
        causes(failure),
        /zlab1: SSH host key SHA256:\S+ of root@\S+:22 does not match the pinned SHA256:A{43}/,
      );
      assert.equal(failureType(failure), 'HostKeyMismatch');
    } finally {
      await worker.stop();
    }
  },
);

/** The SHA256 fingerprint of the host's own sshd key, read inside the host. */
async function hostKeyOf(host: string): Promise<string> {
  const r = await labExec(host, ['ssh-keygen', '-l', '-f', '/etc/ssh/ssh_host_ed25519_key.pub']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split(' ')[1]!;
}

/** A new sshd host key on the host (as a reinstall, or someone in between, would present), sshd reloaded. */
async function replaceHostKey(host: string): Promise<void> {
  const script = `rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub &&
ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key && kill -HUP "$(cat /run/sshd.pid)"`;
  const r = await labExec(host, ['sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
}

test(
  'a host key pinned at provisioning that later changes fails the next run fast, in one attempt, naming the host',
  { skip, timeout: 120_000 },
  async (ctx) => {
    const worker = await startTestWorker(t);
    const cluster = 'pinned';
    const host = hosts[2]!.name;
    const spec = parseOrThrow(
      labClusterYaml(cluster, hosts.slice(2), { [host]: ['etcd', 'controlplane', 'worker'] }),
    );
    try {
      // the first run pins the key on first contact (the spec has no host_key); what follows is not needed here
      const first = await startProvision(t.client, worker.taskQueue, cluster, submitRevision(spec));
      await waitForStatus(first, 'check hosts done', (s) => s.stepsDone.includes('check hosts'));
      await first.cancel();
      await outcome(first);
      const pinned = pinnedHostKey(cluster, host);
      assert.equal(pinned, await hostKeyOf(host), 'the first run pinned the host key it met');

      await replaceHostKey(host);
      const changed = await hostKeyOf(host);
      assert.notEqual(changed, pinned);
      const started = Date.now();
      const again = await startProvision(t.client, worker.taskQueue, cluster, submitRevision(spec));
      const result = await outcome(again);
      const elapsed = Date.now() - started;
      ctx.diagnostic(`failed after ${elapsed} ms`);
      assert.ok(result instanceof Error, 'the run after the key changed failed');
      const checks = (await activityAttempts(again)).filter((a) => a.type === 'checkClusterHost');
      assert.deepEqual(
        checks,
        [{ type: 'checkClusterHost', attempt: 1 }],
        'one check-hosts attempt, not retried',
      );
      assert.ok(elapsed < FAST_MS, `failed after ${elapsed} ms`);
      assert.ok(
        new RegExp(
          `${host}: SSH host key ${literal(changed)} of root@\\S+:22 does not match the pinned ${literal(pinned)}`,
        ).test(causes(result)),
        causes(result),
      );
      assert.equal(pinnedHostKey(cluster, host), pinned, 'the pin was not replaced by the new key');
    } finally {
      await worker.stop();
    }
  },
);

test(
  'freeBytes over ssh reports the free space where the host keeps its Docker images',
  { skip },
  async () => {
    const [target] = targets(hosts.slice(0, 1));
    const session = await SshSession.open(target!);
    try {
      const free = await new DockerApi(session, '/var/run/docker.sock').freeBytes();
      const df = await labExec('zlab1', ['df', '--output=avail', '-B1', '/var/lib/docker']);
      const expected = Number(df.stdout.trim().split('\n').at(-1));
      assert.ok(free !== undefined && expected > 0, `freeBytes ${free}, df ${df.stdout}`);
      assert.ok(Math.abs(free - expected) < 64 * 1024 * 1024, `freeBytes ${free} vs df ${expected}`);
    } finally {
      session.close();
    }
  },
);

/** The type of the application failure under a workflow failure (the activity's error type). */
function failureType(err: Error): string | undefined {
  for (let e: Error | undefined = err; e; e = e.cause as Error | undefined) {
    if (e instanceof ApplicationFailure) return e.type ?? undefined;
  }
  return undefined;
}
