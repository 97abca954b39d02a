// Every version of the table provisions a working cluster in the lab (nodes Ready on that version, what runs is
// the plan, a Deployment answers through its Service's DNS name), and an upgrade across one minor works at both
// ends of the table (at the newest, etcd goes 3.6 → 3.7 with it). Not part of npm test (about 25 min):
// `npm run test:versions` builds every version's images first. ZKE_VERSIONS=v1.30.14,v1.37.2 narrows it.
// The last run is written up in docs/lab-k8s.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KUBERNETES_VERSIONS } from '../../model/versions.ts';
import {
  assertRunsPlan,
  healthyNodes,
  type Kubectl,
  kubeletVersions,
  labSpec,
  labSuite,
  provision,
  run,
  upgrade,
  WORKLOADS,
  workloadAnswers,
} from '../lab/lifecycle-harness.ts';
import { k8sSkipReason, managedContainers } from '../support/cluster.ts';
import { eventually } from '../support/kubectl.ts';

const TABLE = KUBERNETES_VERSIONS.map((v) => v.version);
const VERSIONS = process.env.ZKE_VERSIONS ? process.env.ZKE_VERSIONS.split(',') : TABLE;
const lab = labSuite(2);

const roles = () => ({
  [lab.hosts[0].name]: ['etcd', 'controlplane', 'worker'],
  [lab.hosts[1].name]: ['worker'],
});
const specAt = (name: string, version: string, extra: Record<string, unknown> = {}) =>
  labSpec(name, lab.hosts, roles(), { version, extra });

/** Provisions `version`, checks what a user would check, and returns kubectl on it. */
async function provisionAt(
  name: string,
  version: string,
  extra: Record<string, unknown> = {},
): Promise<Kubectl> {
  const spec = specAt(name, version, extra);
  const k = await provision(lab.ops(), spec);
  await healthyNodes(
    k,
    lab.hosts.map((h) => h.name),
  );
  assert.deepEqual(await kubeletVersions(k), [version]);
  await assertRunsPlan(spec);
  await k('apply', '-f', WORKLOADS);
  await workloadAnswers(k);
  return k;
}

async function remove(name: string): Promise<void> {
  const result = await run(lab.ops(), 'removeCluster', { cluster: name });
  assert.equal(result.status.phase, 'succeeded', result.summary);
}

for (const version of VERSIONS) {
  test(`${version}: a working cluster`, { skip: k8sSkipReason(version), timeout: 900_000 }, async () => {
    const name = `v${version.replaceAll('.', '-').slice(1)}`;
    await provisionAt(name, version);
    await remove(name);
  });
}

/** Both ends of the table: the oldest minor to the next, and the newest minor from the one before. */
const UPGRADES = [TABLE.slice(0, 2), TABLE.slice(-2)].filter(
  ([from, to]) => VERSIONS.includes(from!) && VERSIONS.includes(to!),
);

for (const [from, to] of UPGRADES as [string, string][]) {
  test(
    `${from} → ${to}: the upgrade keeps the workload answering`,
    { skip: k8sSkipReason(from, to), timeout: 1_200_000 },
    async () => {
      const name = 'upg';
      const k = await provisionAt(name, from);
      const spec = specAt(name, to);
      const result = await upgrade(lab.ops(), spec);
      assert.equal(result.status.phase, 'succeeded', result.summary);
      await healthyNodes(
        k,
        lab.hosts.map((h) => h.name),
      );
      await eventually('every kubelet upgraded', async () =>
        assert.deepEqual(await kubeletVersions(k), [to]),
      );
      await assertRunsPlan(spec);
      await workloadAnswers(k);
      await remove(name);
    },
  );
}

/** The etcd image the etcd host runs now. */
async function runningEtcd(): Promise<string> {
  const etcd = (await managedContainers(lab.hosts[0].name)).find((c) => c.name === 'etcd');
  return etcd?.image ?? 'none';
}

test(
  'etcd 3.4 (what zke ran before 3.5 and 3.6 were built) goes to 3.5 and stays there, keeping its data',
  { skip: k8sSkipReason('v1.34.4'), timeout: 1_200_000 },
  async () => {
    const name = 'etcd34';
    // the lab's own Debian etcd 3.4.23 image (lab/images.sh), given as an override as an older zke's table gave it
    const k = await provisionAt(name, 'v1.33.13', { system_images: { etcd: 'zke/etcd:v3.4.23' } });
    assert.equal(await runningEtcd(), 'zke/etcd:v3.4.23');
    await k('create', 'configmap', 'kept', '--from-literal=since=3.4');
    const target = specAt(name, 'v1.34.4');
    for (const _ of ['the step to 3.5', 'an up that would take 3.6 (its v2 WAL entries would crash it)']) {
      const result = await upgrade(lab.ops(), target);
      assert.equal(result.status.phase, 'succeeded', result.summary);
      assert.match(await runningEtcd(), /\/zke\/etcd:v3\.5\.36$/);
    }
    await assertRunsPlan(target);
    assert.equal(await k('get', 'configmap', 'kept', '-o', 'jsonpath={.data.since}'), '3.4');
    await workloadAnswers(k);
    await remove(name);
  },
);
