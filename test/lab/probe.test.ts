// Foundation end-to-end: a workflow whose activity reaches each lab host over SSH and asks its Docker.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DockerApi } from '../../activities/docker/api.ts';
import type { HostFacts } from '../../activities/hostsCheck.ts';
import { SshSession } from '../../activities/ssh/session.ts';
import type { SshTarget } from '../../activities/ssh/target.ts';
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

test('a wrong pinned host key fails fast, non-retryable, naming the host', { skip }, async () => {
  const worker = await startTestWorker(t);
  try {
    const wrong = targets(hosts.slice(0, 1), {
      hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    await assert.rejects(
      t.client.workflow.execute('probeHosts', {
        taskQueue: worker.taskQueue,
        workflowId: `probe-bad-${Date.now()}`,
        args: [wrong],
      }),
      (err: Error) => {
        assert.match(causes(err), /zlab1: SSH host key .* does not match/);
        return true;
      },
    );
  } finally {
    await worker.stop();
  }
});

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

function causes(err: unknown): string {
  const messages: string[] = [];
  for (let e = err as Error | undefined; e; e = e.cause as Error | undefined) messages.push(e.message);
  return messages.join(' <- ');
}
