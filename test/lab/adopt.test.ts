// zke adopt on a real cluster: zke provisions it (2 hosts, Secrets encrypted), a workload and a Secret are put in,
// the state is exported and zke's record of the cluster deleted. Adopting it back from the cluster.yml and the
// exported state compares first (every host "as planned", nothing touched), then takes it over: every container
// zke runs on both hosts is the same one, and so are the workload pod's (its UID kept), the etcd member keeps its ID,
// the Secret still reads (the encryption key was kept), and the old admin kubeconfig still works (same CA). Then the
// record is lost again and `zke recover` writes it back from the sealed copy on the cluster's etcd host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { store } from '../../activities/clusterState.ts';
import { EXIT } from '../../cli/command.ts';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { STATE_COPY_PATH } from '../../common/stateCopy.ts';
import { exportRkeState } from '../../common/stateExport.ts';
import { LAB_KUBECTL, labClusterYaml, parseOrThrow } from '../support/cluster.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { labExec, labSsh } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { runZke } from '../support/zkeCli.ts';
import { adopt as adoptCluster, etcdMembers } from './adopt-harness.ts';
import { labSuite, provision, SKIP, upgrade } from './lifecycle-harness.ts';

const CLUSTER = 'adopted';
const suite = labSuite(2);
// the API's host policy: the lab's key is where a site would keep its keys
process.env.ZKE_SSH_KEY_DIRS = path.dirname(labSsh.keyPath);

const adopt = (doc: object, state: object, apply: boolean) => adoptCluster(suite, CLUSTER, doc, state, apply);

/** zke's containers of a host and those of the workload's pods (namespace default), `id name`, sorted. The
 *  system pods are left out: the cluster still places them (coredns scales out) whatever zke does. */
async function containers(host: string): Promise<string[]> {
  const out = await labExec(host, ['docker', 'ps', '--no-trunc', '--format', '{{.ID}} {{.Names}}']);
  assert.equal(out.code, 0, out.stderr);
  const ours = (line: string) => !line.includes(' k8s_') || line.includes('_default_');
  return out.stdout.split('\n').filter(Boolean).filter(ours).sort();
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

test(
  'zke recover: the record lost again comes back from the sealed copy on the etcd and control plane host; up then changes nothing',
  { skip: SKIP, timeout: 600_000 },
  async (t) => {
    const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
    const mode = async (host: string) =>
      (await labExec(host, ['stat', '-c', '%a %U', STATE_COPY_PATH])).stdout.trim();
    assert.equal(await mode(a), '600 root', 'the etcd and control plane host keeps the copy, root only');
    assert.equal(await mode(b), '', 'a worker keeps none');
    const doc = labClusterYaml(CLUSTER, suite.hosts, {
      [a]: ['etcd', 'controlplane', 'worker'],
      [b]: ['worker'],
    });
    (doc.core as Record<string, unknown>)['kube-api'] = { secrets_encryption_config: { enabled: true } };
    const file = path.join(tempDir('zke-recover'), 'cluster.yml');
    fs.writeFileSync(file, stringify(doc));
    const kept = Object.fromEntries(
      store()
        .keys(CLUSTER)
        .filter((key) => key !== 'last-status')
        .map((key) => [key, store().read(CLUSTER, key)]),
    );
    const before = { a: await containers(a), b: await containers(b), members: await etcdMembers(a) };
    store().remove(CLUSTER);

    // another keyring (a new ZKE_HOME's) does not open it, and nothing is written
    const otherRing = path.join(tempDir('zke-recover-ring'), 'keyring.json');
    loadOrCreateKeyring(otherRing);
    const refused = await runZke(['recover', '-c', file], { ZKE_KEYRING: otherRing });
    assert.equal(refused.code, EXIT.failed, refused.stdout + refused.stderr);
    assert.match(refused.stderr, new RegExp(`${a}: ${STATE_COPY_PATH} does not open with key "k1"`));
    assert.deepEqual(store().keys(CLUSTER), []);
    t.diagnostic(refused.stderr.trim());

    const recovered = await runZke(['recover', '-c', file], {});
    assert.equal(recovered.code, EXIT.ok, recovered.stdout + recovered.stderr);
    t.diagnostic(recovered.stdout.trim());
    assert.match(
      recovered.stdout,
      new RegExp(`^recovered cluster ${CLUSTER}: revision 1 applied, \\d+ records, from ${a} `),
    );
    for (const [key, value] of Object.entries(kept)) assert.deepEqual(store().read(CLUSTER, key), value, key);

    const again = await upgrade(suite.ops(), parseOrThrow(doc));
    assert.equal(again.status.phase, 'succeeded', again.summary);
    assert.deepEqual(
      { a: await containers(a), b: await containers(b), members: await etcdMembers(a) },
      before,
      'zke up after the recovery replaced nothing',
    );
  },
);
