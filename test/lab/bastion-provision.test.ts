// A 1-host cluster provisioned through a bastion host: zlab1's sshd is reachable only from zlab2 (the lab drops
// TCP 22 from the worker's own address), so every step's SSH (Docker API, files, the Kubernetes API tunnel) goes
// through the bastion; the bastion's inline key never reaches the workflow history.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { clusterWorkflowId } from '../../workflows/types.ts';
import * as cluster from '../support/cluster.ts';
import { labFault } from '../support/faults.ts';
import { historyTexts, KEY_MATERIAL } from '../support/history.ts';
import { labExec, labSsh } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';

const skip = cluster.k8sSkipReason();
const lab = useLabSuite(2, skip);
/** The cluster file of the first test (the bastion-only network stays for the tests after it). */
let behind: Record<string, unknown> | undefined;

test(
  'a 1-host cluster behind a bastion host provisions, every SSH connection through it',
  {
    skip,
    timeout: 900_000,
  },
  async () => {
    const [node, bastion] = lab.hosts as [(typeof lab.hosts)[0], (typeof lab.hosts)[0]];
    await labFault('bastion-only', node.name, bastion.name);
    const doc = cluster.labClusterYaml(
      'behind',
      [node],
      { [node.name]: ['etcd', 'controlplane', 'worker'] },
      {
        extra: {
          bastion_host: {
            address: bastion.address,
            user: 'root',
            ssh_key: readFileSync(labSsh.keyPath, 'utf8'),
          },
        },
      },
    );
    const spec = cluster.parseOrThrow(doc);
    behind = doc;
    const result = await cluster.runOperation(lab.t.client, lab.taskQueue, 'provisionCluster', {
      cluster: spec.clusterName,
      revision: cluster.submitRevision(spec),
    });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const names = (await cluster.managedContainers(node.name)).map((c) => c.name);
    for (const name of ['etcd', 'kube-apiserver', 'kubelet']) assert.ok(names.includes(name), `${name} runs`);
    const { decoded } = await historyTexts(lab.t.client, clusterWorkflowId('behind'));
    assert.doesNotMatch(decoded, KEY_MATERIAL, 'the bastion key is not in the history');
  },
);

test(
  'an upgrade of the cluster behind the bastion goes through it too',
  { skip, timeout: 900_000 },
  async () => {
    assert.ok(behind, 'the first test provisioned the cluster');
    const core = behind.core as { kubelet?: { extra_args?: Record<string, string> } };
    const kubelet = { ...core.kubelet, extra_args: { ...core.kubelet?.extra_args, 'max-pods': '150' } };
    const spec = cluster.parseOrThrow({ ...behind, core: { ...core, kubelet } });
    const result = await cluster.runOperation(lab.t.client, lab.taskQueue, 'upgradeCluster', {
      cluster: 'behind',
      revision: cluster.submitRevision(spec),
    });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const kubeletNow = (await cluster.managedContainers(lab.hosts[0]!.name)).find(
      (c) => c.name === 'kubelet',
    );
    assert.ok(kubeletNow?.args.includes('--max-pods=150'), `kubelet args: ${kubeletNow?.args.join(' ')}`);
  },
);

test(
  'removing the cluster behind the bastion cleans the node through it',
  { skip, timeout: 900_000 },
  async () => {
    assert.ok(behind, 'the first test provisioned the cluster');
    const node = lab.hosts[0]!.name;
    const result = await cluster.runOperation(lab.t.client, lab.taskQueue, 'removeCluster', {
      cluster: 'behind',
    });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    assert.deepEqual(await cluster.allContainers(node), [], `${node}: no container left`);
    assert.notEqual(
      (await labExec(node, ['test', '-e', '/etc/kubernetes'])).code,
      0,
      `${node}: /etc/kubernetes removed`,
    );
  },
);
