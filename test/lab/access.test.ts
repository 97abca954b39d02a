// Access over real SSH, without Kubernetes: nodes that only a bastion host can reach (the lab drops their
// sshd's traffic from the lab's root address), reached through `bastion_host`, the check naming the node
// without it and the bastion when the bastion is the problem.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pinnedBastionKey } from '../../activities/clusterState.ts';
import { checkClusterHost } from '../../activities/hostsCheck.ts';
import { labClusterYaml, parseOrThrow, submitRevision } from '../support/cluster.ts';
import { labFault } from '../support/faults.ts';
import { LAB_SKIP_REASON, type LabHost, labDown, labExec, labSsh, labUp } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';

const skip = LAB_SKIP_REASON;
const scratch = tempDir('zke-access');
process.env.ZKE_KEYRING ??= path.join(scratch, 'keyring.json');
process.env.ZKE_HOME ??= path.join(scratch, 'home');

let hosts: LabHost[];
let nodes: LabHost[];
let bastion: LabHost;

before(async () => {
  if (skip) return;
  hosts = await labUp(3);
  nodes = hosts.slice(0, 2);
  bastion = hosts[2]!;
  for (const node of nodes) await labFault('bastion-only', node.name, bastion.name);
});
after(async () => {
  if (skip) return;
  await labDown();
});

/** A cluster of the lab's nodes in `format`, with `bastion_host` set to `bastionHost` when given. */
function storeCluster(name: string, format: 'zke' | 'rke', bastionHost?: Record<string, unknown>): string {
  const roles = Object.fromEntries(nodes.map((n) => [n.name, ['etcd', 'controlplane', 'worker']]));
  const extra = bastionHost ? { bastion_host: bastionHost } : {};
  submitRevision(parseOrThrow(labClusterYaml(name, nodes, roles, { format, extra })));
  return name;
}

const bastionOf = (o: Record<string, unknown> = {}) => ({
  address: bastion.address,
  user: 'root',
  ssh_key_path: labSsh.keyPath,
  ...o,
});

async function hostKeyOf(host: string): Promise<string> {
  const r = await labExec(host, ['ssh-keygen', '-l', '-f', '/etc/ssh/ssh_host_ed25519_key.pub']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split(' ')[1]!;
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('the check succeeded'),
    (err: Error & { nonRetryable?: boolean; type?: string }) => err,
  );

for (const format of ['zke', 'rke'] as const) {
  test(
    `${format} format: the hosts check reaches bastion-only nodes through bastion_host and pins its key`,
    {
      skip,
    },
    async () => {
      const cluster = storeCluster(`bastion-${format}`, format, bastionOf());
      for (const node of nodes) {
        const facts = await checkClusterHost({ cluster, host: node.name });
        assert.equal(facts.hostname, node.name, 'the node itself answered, through the bastion');
        assert.equal(facts.hostKey, await hostKeyOf(node.name), "the node's own host key");
        assert.equal(facts.bastionHostKey, await hostKeyOf(bastion.name));
      }
      assert.equal(pinnedBastionKey(cluster, bastion.address), await hostKeyOf(bastion.name), 'pinned');
    },
  );
}

test('without bastion_host the check of a bastion-only node fails naming the node', { skip }, async () => {
  const cluster = storeCluster('bastion-none', 'zke');
  const node = nodes[0]!;
  const err = await failureOf(checkClusterHost({ cluster, host: node.name }));
  assert.match(
    err.message,
    new RegExp(`^${node.name}: SSH to root@${node.address}:22: .*(Timed out|timed out)`),
  );
});

test('an unreachable bastion host fails the check naming the bastion and the node', { skip }, async () => {
  const cluster = storeCluster('bastion-down', 'zke', bastionOf({ port: 2222 }));
  const node = nodes[0]!;
  const err = await failureOf(checkClusterHost({ cluster, host: node.name }));
  assert.match(
    err.message,
    new RegExp(
      `^bastion host ${bastion.address} \\(for ${node.name}\\): SSH to root@${bastion.address}:2222: `,
    ),
  );
});

test(
  'a bastion host key other than the pinned one fails non-retryably naming the bastion',
  { skip },
  async () => {
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const cluster = storeCluster('bastion-key', 'rke', bastionOf({ host_key: wrong }));
    const err = await failureOf(checkClusterHost({ cluster, host: nodes[0]!.name }));
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      new RegExp(`^bastion host ${bastion.address} .*does not match the pinned ${wrong}`),
    );
  },
);

test('a node the bastion cannot reach fails naming the node and the bastion', { skip }, async () => {
  const cluster = storeCluster('bastion-nowhere', 'zke', bastionOf());
  await labFault('sshd-stop', nodes[1]!.name);
  try {
    const err = await failureOf(checkClusterHost({ cluster, host: nodes[1]!.name }));
    assert.match(
      err.message,
      new RegExp(
        `^${nodes[1]!.name}: SSH to root@${nodes[1]!.address}:22 through the bastion host root@${bastion.address}:22: `,
      ),
    );
  } finally {
    // sshd-start checks from here that sshd listens: open the node to the lab for that while
    await labFault('bastion-off', nodes[1]!.name);
    await labFault('sshd-start', nodes[1]!.name);
    await labFault('bastion-only', nodes[1]!.name, bastion.name);
  }
});
