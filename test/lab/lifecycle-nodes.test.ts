// Node changes through the spec: a worker and an etcd host are added (the etcd member joins through the members
// API), then both are removed (member removed, nodes cordoned, drained, deleted, hosts cleaned); the etcd
// member list and the node list follow. A spec that drops every etcd member at once is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allContainers, causes } from '../support/cluster.ts';
import { labAddHost, labExec } from '../support/lab.ts';
import {
  healthyNodes,
  type Kubectl,
  labSpec,
  labSuite,
  provision,
  SKIP,
  upgrade,
} from './lifecycle-harness.ts';

let k: Kubectl;

const suite = labSuite(2);

const ops = () => suite.ops();

function spec(roles: Record<string, string[]>) {
  const chosen = suite.hosts.filter((h) => roles[h.name]);
  return labSpec('nodes', chosen, roles, {
    extra: { upgrade_strategy: { drain: true, node_drain_input: { delete_local_data: true } } },
  });
}

async function etcdMembers(host: string): Promise<string[]> {
  const out = await labExec(host, ['docker', 'exec', 'etcd', 'etcdctl', 'member', 'list', '-w', 'json']);
  assert.equal(out.code, 0, out.stderr);
  return (JSON.parse(out.stdout) as { members: { name: string }[] }).members.map((m) => m.name).sort();
}

/** The four hosts once the first test has added two; says so instead of failing on `undefined` when it did not. */
function addedHosts(): string[] {
  assert.equal(suite.hosts.length, 4, 'the first test did not add its two hosts');
  return suite.hosts.map((h) => h.name);
}

test(
  'add a worker and an etcd host: the member joins, the nodes register',
  { skip: SKIP, timeout: 900_000 },
  async () => {
    const [a, b] = suite.hosts.map((h) => h.name);
    k = await provision(ops(), spec({ [a]: ['etcd', 'controlplane', 'worker'], [b]: ['worker'] }));
    suite.hosts = await labAddHost();
    suite.hosts = await labAddHost();
    const [, , c, d] = suite.hosts.map((h) => h.name);
    const result = await upgrade(
      ops(),
      spec({
        [a]: ['etcd', 'controlplane', 'worker'],
        [b]: ['worker'],
        [c]: ['worker'],
        [d]: ['etcd', 'worker'],
      }),
    );
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.ok(
      result.status.events.some((e) => e.includes(`etcd member ${d} added`)),
      'joined through the members API',
    );
    assert.deepEqual(await etcdMembers(a), [`etcd-${a}`, `etcd-${d}`]);
    assert.deepEqual(await etcdMembers(d), [`etcd-${a}`, `etcd-${d}`], 'the new member sees the same list');
    await healthyNodes(k, [a, b, c, d]);
  },
);

test(
  'a spec that replaces every etcd member at once is refused, nothing changes',
  { skip: SKIP, timeout: 300_000 },
  async () => {
    const [a, b, c, d] = addedHosts();
    await assert.rejects(
      upgrade(
        ops(),
        spec({ [a]: ['controlplane', 'worker'], [b]: ['etcd', 'worker'], [c]: ['worker'], [d]: ['worker'] }),
      ),
      (err) => {
        assert.match(causes(err), /replaces every etcd member at once \(now: .*; planned: .*\)/);
        return true;
      },
    );
    assert.deepEqual(await etcdMembers(a), [`etcd-${a}`, `etcd-${d}`]);
  },
);

test(
  'remove them again: the member leaves, the nodes are deleted, the hosts are clean',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const [a, b, c, d] = addedHosts();
    const result = await upgrade(ops(), spec({ [a]: ['etcd', 'controlplane', 'worker'], [b]: ['worker'] }));
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.deepEqual(await etcdMembers(a), [`etcd-${a}`]);
    await healthyNodes(k, [a, b]);
    for (const gone of [c, d]) {
      assert.deepEqual(await allContainers(gone), [], `${gone} runs no container at all (pods' included)`);
      const dir = await labExec(gone, ['test', '-e', '/etc/kubernetes']);
      assert.notEqual(dir.code, 0, `${gone}: /etc/kubernetes is gone`);
    }
  },
);
