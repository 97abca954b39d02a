// zke adopt on a real cluster: zke provisions it (2 hosts, Secrets encrypted), a workload and a Secret are put in,
// the state is exported and zke's record of the cluster deleted. Adopting it back from the cluster.yml and the
// exported state compares first (every host "as planned", nothing touched), then takes it over: every container
// zke runs on both hosts is the same one, and so are the workload pod's (its UID kept), the etcd member keeps its ID,
// the Secret still reads (the encryption key was kept), and the old admin kubeconfig still works (same CA).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { store } from '../../activities/clusterState.ts';
import { AuditLog } from '../../api/service/audit.ts';
import { createServices } from '../../api/service/index.ts';
import { exportRkeState } from '../../common/stateExport.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { LAB_KUBECTL, labClusterYaml, parseOrThrow } from '../support/cluster.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { labExec, labSsh } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { labSuite, provision, SKIP } from './lifecycle-harness.ts';

const CLUSTER = 'adopted';
const suite = labSuite(2);
// the API's host policy: the lab's key is where a site would keep its keys
process.env.ZKE_SSH_KEY_DIRS = path.dirname(labSsh.keyPath);

/** zke's containers of a host and those of the workload's pods (namespace default), `id name`, sorted. The
 *  system pods are left out: the cluster still places them (coredns scales out) whatever zke does. */
async function containers(host: string): Promise<string[]> {
  const out = await labExec(host, ['docker', 'ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}']);
  assert.equal(out.code, 0, out.stderr);
  const ours = (line: string) => !line.includes(' k8s_') || line.includes('_default_');
  return out.stdout.split('\n').filter(Boolean).filter(ours).sort();
}

async function etcdMembers(host: string): Promise<string> {
  const out = await labExec(host, ['docker', 'exec', 'etcd', 'etcdctl', 'member', 'list']);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.trim();
}

/** zke adopt as the API runs it: the spec and state submitted, then the adopt operation's outcome. */
async function adopt(doc: object, state: object, apply: boolean): Promise<OperationResult> {
  const services = createServices({
    client: suite.t.client,
    taskQueue: suite.taskQueue,
    store: store(),
    audit: new AuditLog(`${tempDir('zke-adopt-audit')}/audit.log`),
    temporalDeadlineMs: 30_000,
  });
  await services.submissions.adopt(CLUSTER, { spec: doc, state, apply }, 'test');
  return (await suite.t.client.workflow.getHandle(clusterWorkflowId(CLUSTER)).result()) as OperationResult;
}

test(
  'a running cluster whose record is lost is adopted back in place: same containers, pods, etcd member, keys, CA',
  { skip: SKIP, timeout: 900_000 },
  async () => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    const doc = labClusterYaml(CLUSTER, suite.hosts, {
      [a]: ['etcd', 'controlplane', 'worker'],
      [b]: ['worker'],
    });
    (doc.core as Record<string, unknown>)['kube-api'] = { secrets_encryption_config: { enabled: true } };
    const k = await provision(suite.ops(), parseOrThrow(doc));
    await k('create', 'deployment', 'keep', '--image=zke/tools:v1', '--', 'sleep', '86400');
    await k('create', 'secret', 'generic', 'kept', '--from-literal=word=still-here');
    await eventually('the workload runs', async () =>
      assert.equal(
        await k('get', 'pods', '-l', 'app=keep', '-o', 'jsonpath={.items[0].status.phase}'),
        'Running',
      ),
    );
    const podUid = await k('get', 'pods', '-l', 'app=keep', '-o', 'jsonpath={.items[0].metadata.uid}');
    const oldKubeconfig = `${tempDir('zke-adopt')}/kube_config_old.yml`;
    fs.copyFileSync(adminKubeconfigFile(CLUSTER), oldKubeconfig);
    const before = { a: await containers(a), b: await containers(b), members: await etcdMembers(a) };

    const state = exportRkeState(store(), CLUSTER);
    store().remove(CLUSTER); // zke's record is gone; the cluster runs on

    const compared = await adopt(doc, state, false);
    assert.equal(compared.status.phase, 'succeeded', compared.summary);
    for (const host of [a, b]) {
      const said = compared.status.events.join('\n');
      assert.ok(compared.status.events.includes(`${host}: as planned, nothing to replace`), said);
      assert.match(
        said,
        new RegExp(`^${host}: .*; SSH host key SHA256:\\S+ pinned \\(first contact\\)$`, 'm'),
      );
    }
    assert.ok(
      compared.status.events.includes('adopt: every container is as zke plans it, nothing to replace'),
    );
    assert.equal(
      store().read<{ revision?: number }>(CLUSTER, 'current')?.revision,
      undefined,
      "still not zke's",
    );

    const taken = await adopt(doc, state, true);
    assert.equal(taken.status.phase, 'succeeded', taken.summary);
    assert.deepEqual(
      { a: await containers(a), b: await containers(b), members: await etcdMembers(a) },
      before,
      'not one container replaced or restarted, the etcd member the same',
    );
    const old = kubectl(LAB_KUBECTL, oldKubeconfig);
    assert.equal(
      await old('get', 'pods', '-l', 'app=keep', '-o', 'jsonpath={.items[0].metadata.uid}'),
      podUid,
    );
    assert.equal(
      Buffer.from(await old('get', 'secret', 'kept', '-o', 'jsonpath={.data.word}'), 'base64').toString(),
      'still-here',
    );
    assert.equal(store().read<{ revision?: number }>(CLUSTER, 'current')?.revision, 1, 'zke manages it now');
  },
);
