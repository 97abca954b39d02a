// The version table's etcd, and the etcd a plan runs: never a downgrade, one minor at a time.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planChanges } from '../../api/service/plan.ts';
import { chooseEtcd } from '../../model/plan/etcdVersion.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { findVersion, KUBERNETES_VERSIONS } from '../../model/versions.ts';
import { containerOf, flag, host, MIN_3, specFrom } from './plan-fixture.ts';

const at = (version: string) => specFrom(`${MIN_3}kubernetes_version: ${version}\n`);

describe('the version table', () => {
  test('v1.30 to v1.37, each with the etcd minor upstream pairs with it', () => {
    const pairs = KUBERNETES_VERSIONS.map((v) => `${v.version} ${v.images.etcd}`);
    assert.deepEqual(pairs, [
      'v1.30.14 zke/etcd:v3.5.36',
      'v1.31.14 zke/etcd:v3.5.36',
      'v1.32.13 zke/etcd:v3.5.36',
      'v1.33.13 zke/etcd:v3.5.36',
      'v1.34.4 zke/etcd:v3.6.17',
      'v1.35.4 zke/etcd:v3.6.17',
      'v1.36.3 zke/etcd:v3.6.17',
      'v1.37.2 zke/etcd:v3.7.4',
    ]);
  });

  test('a patch zke lacks is its minor’s supported patch, with a warning that says so', () => {
    assert.equal(findVersion('v1.32.5-rancher1-1')?.version, 'v1.32.13');
    assert.equal(findVersion('v1.29.6'), undefined);
    const parsed = parseClusterSpec(`${MIN_3}kubernetes_version: v1.32.5-rancher1-1\n`);
    assert.ok(parsed.ok);
    assert.equal(parsed.spec.kubernetesVersion, 'v1.32.13');
    assert.deepEqual(
      parsed.warnings.filter((w) => w.path === 'kubernetes_version').map((w) => w.message),
      ['zke has no v1.32.5: the cluster runs v1.32.13, the patch of v1.32 zke supports'],
    );
  });
});

test('from v1.35 the kubelet is told to run on cgroup v1 hosts, which upstream refuses by default from then on', () => {
  const failFlag = (version: string) =>
    flag(containerOf(host(buildPlan(at(version)), 'b'), 'kubelet'), 'fail-cgroupv1');
  assert.deepEqual(
    KUBERNETES_VERSIONS.map((v) => `${v.version} ${failFlag(v.version)}`),
    KUBERNETES_VERSIONS.map(
      (v) => `${v.version} ${Number(v.version.split('.')[1]) >= 35 ? 'false' : undefined}`,
    ),
  );
  const strict = specFrom(
    `${MIN_3}kubernetes_version: v1.37.2\ncore: {kubelet: {extra_args: {fail-cgroupv1: "true"}}}\n`,
  );
  assert.equal(flag(containerOf(host(buildPlan(strict), 'b'), 'kubelet'), 'fail-cgroupv1'), 'true');
});

describe('the etcd a plan runs', () => {
  test('a new cluster, or members on the table’s etcd or an older patch: the table’s', () => {
    assert.deepEqual(chooseEtcd('zke/etcd:v3.6.17'), { image: 'zke/etcd:v3.6.17' });
    assert.deepEqual(chooseEtcd('zke/etcd:v3.6.17', ['zke/etcd:v3.5.36', 'zke/etcd:v3.6.17']), {
      image: 'zke/etcd:v3.6.17',
    });
    assert.deepEqual(chooseEtcd('zke/etcd:v3.5.36', ['rancher/mirrored-coreos-etcd:v3.5.16']), {
      image: 'zke/etcd:v3.5.36',
    });
  });

  test('never a downgrade: a rollback to v1.33 keeps etcd 3.6, with 3.6’s flags, and says why', () => {
    const plan = buildPlan(at('v1.33.13'), { hosts: ['a', 'b', 'c'], etcdImages: { a: 'zke/etcd:v3.6.17' } });
    const etcd = containerOf(host(plan, 'b'), 'etcd');
    assert.equal(etcd.image, 'zke/etcd:v3.6.17');
    assert.equal(flag(etcd, 'watch-progress-notify-interval'), '1s');
    assert.equal(flag(etcd, 'experimental-watch-progress-notify-interval'), undefined);
    assert.equal(containerOf(host(plan, 'b'), 'etcd-rolling-snapshots').image, 'zke/etcd:v3.6.17');
    assert.deepEqual(plan.notes, [
      'etcd stays at v3.6.17: v3.5.36 would downgrade it, which etcd does not support',
    ]);
  });

  test('one minor at a time: a member on 3.4 takes the cluster to 3.5 first, under the registry of the spec', () => {
    const spec = specFrom(
      `${MIN_3}kubernetes_version: v1.34.4\nprivate_registries: [{url: reg.local:5000, is_default: true}]\n`,
    );
    const running = { a: 'zke/etcd:v3.5.36', b: 'zke/etcd:v3.4.23', gone: 'zke/etcd:v3.3.0' };
    const plan = buildPlan(spec, { hosts: ['a', 'b', 'c'], etcdImages: running });
    const etcd = containerOf(host(plan, 'c'), 'etcd');
    assert.equal(etcd.image, 'reg.local:5000/zke/etcd:v3.5.36');
    assert.equal(flag(etcd, 'experimental-watch-progress-notify-interval'), '1s');
    assert.deepEqual(plan.notes, [
      'etcd upgrades one minor at a time: v3.4.23 goes to v3.5.36 now, to v3.6.17 by the next up',
    ]);
    const next = buildPlan(spec, { hosts: ['a', 'b', 'c'], etcdImages: { a: etcd.image, b: etcd.image } });
    assert.equal(containerOf(host(next, 'c'), 'etcd').image, 'reg.local:5000/zke/etcd:v3.6.17');
    assert.equal(next.notes, undefined);
  });

  test('a cluster whose etcd began on 3.4 stays at 3.5: etcd 3.6 would refuse its v2 WAL entries', () => {
    const running = { a: 'zke/etcd:v3.5.36', b: 'zke/etcd:v3.5.36', c: 'zke/etcd:v3.5.36' };
    const plan = buildPlan(at('v1.37.2'), {
      hosts: ['a', 'b', 'c'],
      etcdImages: running,
      etcdOrigin: 'zke/etcd:v3.4.23',
    });
    const etcd = containerOf(host(plan, 'a'), 'etcd');
    assert.equal(etcd.image, 'zke/etcd:v3.5.36');
    assert.equal(flag(etcd, 'experimental-watch-progress-notify-interval'), '1s');
    assert.deepEqual(plan.notes, [
      "etcd stays at v3.5.36: this cluster's etcd data began on 3.4, whose v2 WAL entries etcd v3.7.4 refuses to replay",
    ]);
    const fresh = buildPlan(at('v1.37.2'), {
      hosts: ['a', 'b', 'c'],
      etcdImages: running,
      etcdOrigin: running.a,
    });
    assert.equal(containerOf(host(fresh, 'a'), 'etcd').image, 'zke/etcd:v3.6.17');
  });

  test('the dry run (zke plan, the API) reads the same etcd records as the run', () => {
    const running = { a: 'zke/etcd:v3.5.36', b: 'zke/etcd:v3.5.36', c: 'zke/etcd:v3.5.36' };
    const etcd = { etcdImages: running, etcdOrigin: 'zke/etcd:v3.4.23' };
    const view = planChanges({ target: at('v1.34.4'), applied: at('v1.33.13'), fromRevision: 1, etcd });
    assert.deepEqual(view.notes, [
      "etcd stays at v3.5.36: this cluster's etcd data began on 3.4, whose v2 WAL entries etcd v3.6.17 refuses to replay",
    ]);
    const etcdChange = view.hosts.flatMap((h) => h.containers).filter((c) => c.name === 'etcd');
    assert.ok(
      etcdChange.every((c) => c.reasons.every((r) => !r.detail.includes('v3.6.17'))),
      JSON.stringify(etcdChange),
    );
  });

  test('an image whose tag names no etcd release is taken as written', () => {
    assert.deepEqual(chooseEtcd('my/etcd:latest', ['zke/etcd:v3.6.17']), { image: 'my/etcd:latest' });
    assert.deepEqual(chooseEtcd('zke/etcd:v3.5.36', ['my/etcd:latest']), { image: 'zke/etcd:v3.5.36' });
  });
});
