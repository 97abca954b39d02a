// An RKE cluster adopted and upgraded (test/lab/adopt-rke.test.ts in npm test, the whole version chain in
// test/versions): a 2-host v1.32 cluster in RKE's container layout (./rke-layout.ts) from an RKE cluster.yml, with
// the web workload, its Service and a client pod. zke adopt compares first (each host lists RKE's containers it
// would replace and why, nothing changes), refuses to take it over while the file would change RKE's token issuer,
// then takes it over with RKE's issuer kept: no RKE container is left, the pods keep their UIDs and answer
// through the Service's DNS name, the Service keeps its IP, the etcd member its ID, a token RKE's API issued
// still signs in, and the kubeconfig written before adoption still works. Then each upgrade of `chain`, one minor at a time, likewise
// (the workload's pods keep their UIDs; the lab recreates the system pods once, see parkRequestingPods).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { TestContext } from 'node:test';
import { parse, stringify } from 'yaml';
import { store } from '../../activities/clusterState.ts';
import { exportRkeState } from '../../common/stateExport.ts';
import { causes, LAB_KUBECTL, labClusterYaml, parseOrThrow } from '../support/cluster.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { labExec } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { adopt, etcdMembers } from './adopt-harness.ts';
import {
  healthyNodes,
  type Kubectl,
  kubeletVersions,
  type LabSuite,
  provision,
  upgrade,
  WORKLOADS,
  workloadAnswers,
} from './lifecycle-harness.ts';
import { layOutAsRke, rkeContainerNames } from './rke-layout.ts';

export const RKE_FROM = 'v1.32.13';
const CLUSTER = 'rke-adopted';
/** What keeps the tokens RKE's kube-apiserver issued valid under zke's (./rke-layout.ts runs RKE's). */
const RKE_TOKENS = { extra_args: { 'service-account-issuer': 'rke', 'api-audiences': 'unknown' } };

/** The default namespace's pods, `name=uid`, sorted. */
async function podUids(k: Kubectl): Promise<string[]> {
  const out = await k(
    'get',
    'pods',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid} {end}',
  );
  return out.split(' ').filter(Boolean).sort();
}

/** Every container on the host, running or not: `id name`, sorted (what a comparison must leave as it was). */
async function allContainers(host: string): Promise<string[]> {
  const out = await labExec(host, ['docker', 'ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}']);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.split('\n').filter(Boolean).sort();
}

/** What adoption and every upgrade must keep: the pods, the Service's IP, the etcd member. */
async function kept(k: Kubectl, etcdHost: string) {
  return {
    pods: await podUids(k),
    serviceIp: await k('get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'),
    members: await etcdMembers(etcdHost),
  };
}

const minor = (version: string) => Number(version.split('.')[1]);

/** A kubectl that signs in with `token` only (the admin kubeconfig's server and CA, no client certificate). */
function withToken(adminKubeconfig: string, token: string): Kubectl {
  const config = parse(fs.readFileSync(adminKubeconfig, 'utf8')) as { users: { user: unknown }[] };
  for (const u of config.users) u.user = { token };
  const file = `${tempDir('zke-token-kc')}/kubeconfig.yml`;
  fs.writeFileSync(file, stringify(config), { mode: 0o600 });
  return kubectl(LAB_KUBECTL, file);
}

/**
 * Lab only (docs/lab-k8s.md). A kubelet from v1.33 on records the resources it gives each container it starts;
 * one that finds a running container without that record (started by v1.32) resizes it in place when its pod
 * requests resources, and with the lab's cgroups-per-qos=false it reads a nil pod cgroup config and crash-loops
 * (doPodResizeAction). So while the first recording kubelet takes over, the system pods that request resources
 * are kept off the nodes (their Deployments scaled to 0, their DaemonSets given a node selector no node has),
 * and brought back after it, by a kubelet that records them. The workload's pods request nothing: they stay.
 */
async function parkRequestingPods(k: Kubectl): Promise<() => Promise<void>> {
  const sys = (...args: string[]) => k('-n', 'kube-system', ...args);
  const requesting = async (kind: string) =>
    (
      await sys(
        'get',
        kind,
        '-o',
        'jsonpath={range .items[*]}{.metadata.name}={.spec.template.spec.containers[*].resources.requests}{"\\n"}{end}',
      )
    )
      .split('\n')
      .filter((line) => /=\S/.test(line))
      .map((line) => line.split('=')[0]!);
  const deployments = await requesting('deployment');
  const daemonsets = await requesting('daemonset');
  const replicas = new Map<string, string>();
  for (const d of deployments)
    replicas.set(d, await sys('get', 'deployment', d, '-o', 'jsonpath={.spec.replicas}'));
  const selector = (value: string | null) =>
    JSON.stringify({ spec: { template: { spec: { nodeSelector: { 'lab.zke.test/parked': value } } } } });
  for (const d of deployments) await sys('scale', 'deployment', d, '--replicas=0');
  for (const ds of daemonsets) await sys('patch', 'daemonset', ds, '--type=merge', '-p', selector('true'));
  await eventually('no pod that requests resources runs', async () => {
    const pods = await sys('get', 'pods', '-o', 'jsonpath={.items[*].spec.containers[*].resources.requests}');
    assert.equal(pods.trim(), '');
  });
  return async () => {
    for (const d of deployments) await sys('scale', 'deployment', d, `--replicas=${replicas.get(d)}`);
    for (const ds of daemonsets) await sys('patch', 'daemonset', ds, '--type=merge', '-p', selector(null));
    for (const name of [
      ...deployments.map((d) => `deployment/${d}`),
      ...daemonsets.map((d) => `daemonset/${d}`),
    ])
      await sys('rollout', 'status', name, '--timeout=300s');
  };
}

const RKE_WORKER = ['kubelet', 'kube-proxy', 'service-sidekick'];
const RKE_MASTER = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', ...RKE_WORKER];

export async function adoptRkeAndUpgrade(suite: LabSuite, chain: string[], t: TestContext): Promise<void> {
  const [a, b] = suite.hosts.map((h) => h.name) as [string, string];
  const docAt = (version: string, keepTokens = true) =>
    labClusterYaml(
      CLUSTER,
      suite.hosts,
      { [a]: ['etcd', 'controlplane', 'worker'], [b]: ['worker'] },
      { version, format: 'rke', kubeApi: keepTokens ? RKE_TOKENS : undefined },
    );
  const doc = docAt(RKE_FROM);
  const spec = parseOrThrow(doc);
  await provision(suite.ops(), spec);
  const state = exportRkeState(store(), CLUSTER);
  const oldKubeconfig = `${tempDir('zke-adopt-rke')}/kube_config_cluster.yml`;
  fs.copyFileSync(adminKubeconfigFile(CLUSTER), oldKubeconfig);
  store().remove(CLUSTER);
  await layOutAsRke(spec);
  assert.deepEqual(await rkeContainerNames(a), [...RKE_MASTER].sort());
  assert.deepEqual(await rkeContainerNames(b), [...RKE_WORKER, 'nginx-proxy'].sort());
  const k = kubectl(LAB_KUBECTL, oldKubeconfig);
  await healthyNodes(k, [a, b]);
  await k('apply', '-f', WORKLOADS);
  await workloadAnswers(k);
  const before = await kept(k, a);
  // a token RKE's kube-apiserver issued, as a pod or an outside system (a CI job, Vault) holds one
  const rkeToken = withToken(oldKubeconfig, (await k('create', 'token', 'default', '--duration=2h')).trim());
  const whoami = ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'];
  assert.equal(await rkeToken(...whoami), 'system:serviceaccount:default:default');

  const untouched = { a: await allContainers(a), b: await allContainers(b) };
  const compared = await adopt(suite, CLUSTER, doc, state, false);
  assert.equal(compared.status.phase, 'succeeded', compared.summary);
  const said = compared.status.events.join('\n');
  t.diagnostic(said);
  for (const line of [
    `${a}: .*etcd: replace RKE's \\([^)]*command[^)]*binds`,
    `${a}: .*kube-apiserver: replace RKE's \\(`,
    `${a}: .*kubelet: replace RKE's \\(`,
    `${a}: .*cri-dockerd: create`,
    `${a}: .*service-sidekick: remove \\(RKE's, zke runs no such container\\)`,
    `${b}: .*nginx-proxy: replace RKE's \\(`,
    `${b}: .*service-sidekick: remove`,
    '^adopt: \\d+ container change\\(s\\) on taking over',
  ])
    assert.match(said, new RegExp(line, 'm'));
  assert.deepEqual(
    { a: await allContainers(a), b: await allContainers(b) },
    untouched,
    'compare changed nothing',
  );

  // without RKE's issuer and audience in the file, taking over would cut every pod off the API: refused
  const refused = await adopt(suite, CLUSTER, docAt(RKE_FROM, false), state, true).catch((e: Error) => e);
  assert.ok(refused instanceof Error, 'the takeover was refused');
  assert.match(
    causes(refused),
    new RegExp(
      `adopt refused, nothing changed: ${a}: kube-apiserver: the planned one would refuse the service account tokens issued now \\(issuer "rke", audiences "unknown";.*keep them with services\\.kube-api\\.extra_args service-account-issuer: rke and api-audiences: unknown`,
    ),
  );
  assert.deepEqual(
    { a: await allContainers(a), b: await allContainers(b) },
    untouched,
    'refused: nothing changed',
  );

  const taken = await adopt(suite, CLUSTER, doc, state, true);
  assert.equal(taken.status.phase, 'succeeded', taken.summary);
  t.diagnostic(`adopted: ${taken.summary}`);
  assert.deepEqual(
    [await rkeContainerNames(a), await rkeContainerNames(b)],
    [[], []],
    'no RKE container left',
  );
  await workloadAnswers(k);
  assert.deepEqual(
    await kept(k, a),
    before,
    'pods, Service IP and etcd member kept; the old kubeconfig works',
  );
  assert.equal(
    await rkeToken(...whoami),
    'system:serviceaccount:default:default',
    "RKE's token still signs in",
  );

  let from = RKE_FROM;
  for (const version of chain) {
    const firstToRecord = minor(from) < 33 && minor(version) >= 33;
    const unpark = firstToRecord ? await parkRequestingPods(k) : async () => {};
    from = version;
    const result = await upgrade(suite.ops(), parseOrThrow(docAt(version)));
    assert.equal(result.status.phase, 'succeeded', `${version}: ${result.summary}`);
    await unpark();
    await healthyNodes(k, [a, b]);
    assert.deepEqual(await kubeletVersions(k), [version]);
    await workloadAnswers(k);
    assert.deepEqual(await kept(k, a), before, `${version}: pods, Service IP and etcd member kept`);
    assert.equal(
      await rkeToken(...whoami),
      'system:serviceaccount:default:default',
      `${version}: RKE's token`,
    );
    t.diagnostic(`upgraded to ${version}`);
  }
}
