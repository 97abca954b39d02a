// Day-2 planning, pure parts: host and etcd member changes between the applied state and a spec (and the
// refusal to replace the whole etcd plane), which containers restart for which certificates, which pods a
// drain evicts, and member-to-host matching.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PodObject, selectPodsToEvict } from '../../activities/drainPods.ts';
import { memberHosts } from '../../activities/etcdMembers.ts';
import { buildPlan, containersToRestart } from '../../model/plan/index.ts';
import { EtcdPlaneReplaced, topologyChanges } from '../../model/plan/topology.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';

function spec(nodes: [string, string[]][]): ClusterSpec {
  const parsed = parseClusterSpec({
    cluster_name: 'c',
    nodes: nodes.map(([name, roles], i) => ({ name, address: `10.0.0.${11 + i}`, roles })),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

const E = ['etcd', 'worker'];
const CP = ['etcd', 'controlplane', 'worker'];

test('new and removed hosts; etcd members keep, join and leave', () => {
  const s = spec([
    ['a', CP],
    ['b', E],
    ['d', E],
    ['w', ['worker']],
  ]);
  const changes = topologyChanges(s, { hosts: ['a', 'b', 'c', 'w'], etcdMembers: ['a', 'b', 'c'] });
  assert.deepEqual(
    changes.hosts.filter((h) => h.isNew).map((h) => h.name),
    ['d'],
  );
  assert.deepEqual(changes.removedHosts, ['c']);
  assert.deepEqual(changes.etcd, { keep: ['a', 'b'], add: ['d'], remove: ['c'] });
});

test('a first apply (no members yet) adds no members through the API: etcd bootstraps as new', () => {
  const changes = topologyChanges(
    spec([
      ['a', CP],
      ['b', E],
    ]),
    {},
  );
  assert.deepEqual(changes.etcd, { keep: [], add: [], remove: [] });
  assert.ok(changes.hosts.every((h) => h.isNew));
});

test('a spec that keeps none of the etcd members is refused with the members named', () => {
  const s = spec([
    ['a', ['controlplane', 'worker']],
    ['x', E],
    ['y', E],
  ]);
  assert.throws(
    () => topologyChanges(s, { hosts: ['a', 'b', 'c'], etcdMembers: ['b', 'c'] }),
    (err: Error) => err instanceof EtcdPlaneReplaced && /now: b, c; planned: x, y/.test(err.message),
  );
});

test('the dry-run shows the etcd decision: leaving members first, kept ones rolled, new ones joined', () => {
  const s = spec([
    ['a', CP],
    ['b', E],
    ['d', E],
  ]);
  const plan = buildPlan(s, { hosts: ['a', 'b', 'c'], etcdMembers: ['a', 'b', 'c'] });
  const etcd = plan.steps.find((step) => step.name === 'etcd plane')!;
  assert.deepEqual(etcd.hosts, ['c', 'a', 'b', 'd'], 'the leaving member first: its member is removed');
  assert.match(etcd.description, /^members c removed, then /);
  assert.equal(plan.refusal, undefined);
});

test('the dry-run shows the refusal of a spec that replaces every etcd member, and no step', () => {
  const s = spec([
    ['a', ['controlplane', 'worker']],
    ['x', E],
  ]);
  const plan = buildPlan(s, { hosts: ['a', 'b'], etcdMembers: ['b'] });
  assert.match(plan.refusal ?? '', /replaces every etcd member at once \(now: b; planned: x\)/);
  assert.deepEqual(plan.steps, []);
});

test('certificates map to exactly the containers that read them, per host', () => {
  const plan = buildPlan(
    spec([
      ['a', CP],
      ['b', E],
      ['w', ['worker']],
    ]),
  );
  const [a, b, w] = ['a', 'b', 'w'].map((n) => plan.hosts.find((h) => h.name === n)!);
  assert.deepEqual(containersToRestart(a, ['kube-node']), ['kube-apiserver', 'kubelet']);
  assert.deepEqual(containersToRestart(w, ['kube-node']), ['kubelet']);
  assert.deepEqual(containersToRestart(a, ['kube-service-account-token']), [
    'kube-apiserver',
    'kube-controller-manager',
  ]);
  assert.deepEqual(containersToRestart(w, ['kube-proxy', 'kube-scheduler']), ['kube-proxy']);
  assert.deepEqual(containersToRestart(b, ['kube-etcd-10-0-0-12']), ['etcd'], 'its own etcd certificate');
  assert.deepEqual(containersToRestart(a, ['kube-etcd-10-0-0-12']), [], "another host's etcd certificate");
  assert.deepEqual(containersToRestart(w, ['kube-admin']), []);
  const all = containersToRestart(w, ['kube-ca']);
  assert.ok(all.includes('kubelet') && all.includes('kube-proxy'));
  assert.ok(
    !all.includes('cri-dockerd') && !all.includes('nginx-proxy'),
    'containers without certificates stay',
  );
});

function pod(
  name: string,
  extra: Partial<PodObject['metadata']> = {},
  volumes: PodObject['spec']['volumes'] = [],
): PodObject {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: name,
      ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', controller: true }],
      ...extra,
    },
    spec: { volumes },
  };
}

test('drain: DaemonSet and mirror pods are skipped, unmanaged and local-storage pods block unless allowed', () => {
  const pods = [
    pod('web'),
    pod('ds', { ownerReferences: [{ kind: 'DaemonSet', name: 'flannel', controller: true }] }),
    pod('static', { annotations: { 'kubernetes.io/config.mirror': 'x' } }),
    pod('bare', { ownerReferences: [] }),
    pod('cache', {}, [{ name: 'tmp', emptyDir: {} }]),
  ];
  const strict = {
    force: false,
    ignoreDaemonsets: true,
    deleteLocalData: false,
    gracePeriod: -1,
    timeout: 60,
  };
  const blocked = selectPodsToEvict(pods, strict);
  assert.deepEqual(blocked.skipped, ['ns/ds', 'ns/static']);
  assert.deepEqual(blocked.blockers, [
    'pods not managed by a controller (set force): ns/bare',
    'pods with local storage (set delete_local_data): ns/cache',
  ]);
  const loose = selectPodsToEvict(pods, { ...strict, force: true, deleteLocalData: true });
  assert.deepEqual(loose.blockers, []);
  assert.deepEqual(
    loose.evict.map((p) => p.metadata.name),
    ['web', 'bare', 'cache'],
  );
  const daemons = selectPodsToEvict(pods, {
    ...strict,
    force: true,
    deleteLocalData: true,
    ignoreDaemonsets: false,
  });
  assert.deepEqual(daemons.blockers, ['DaemonSet-managed pods (set ignore_daemonsets): ns/ds']);
});

test('etcd members match hosts by peer URL, also before they started (no name yet)', () => {
  const s = spec([
    ['a', CP],
    ['b', E],
    ['d', E],
  ]);
  const members = [
    { ID: '1', name: 'etcd-a', peerURLs: ['https://10.0.0.11:2380'] },
    { ID: '2', name: '', peerURLs: ['https://10.0.0.13:2380'] },
  ];
  assert.deepEqual(memberHosts(members, s.nodes), ['a', 'd']);
});
