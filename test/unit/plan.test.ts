// buildPlan: snapshots for 1-, 3- and 5-node clusters and the properties the provisioner relies on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPlan, containersToRestart, describeStep, renderTextFile } from '../../model/plan/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { knownVersions } from '../../model/versions.ts';
import { containerOf, fixtureSpec, flag, host, MIN_3, matchSnapshot, specFrom } from './plan-fixture.ts';

describe('plan snapshots', () => {
  for (const name of ['1-node', '3-node', '5-node']) {
    test(`${name} cluster`, () => {
      matchSnapshot(`${name}.plan`, buildPlan(fixtureSpec(name)));
    });
  }
});

describe('plan properties', () => {
  test('the plan is deterministic plain data', () => {
    const spec = fixtureSpec('5-node');
    const plan = buildPlan(spec, { etcdMembers: ['cp1'] });
    assert.deepEqual(buildPlan(spec, { etcdMembers: ['cp1'] }), plan);
    assert.deepEqual(JSON.parse(JSON.stringify(plan)), plan);
  });

  test('changing one kubelet extra_arg changes exactly the kubelet containers, by one argument', () => {
    const before = buildPlan(specFrom(`${MIN_3}core: {kubelet: {extra_args: {max-pods: "110"}}}`));
    const after = buildPlan(specFrom(`${MIN_3}core: {kubelet: {extra_args: {max-pods: "150"}}}`));
    for (const [i, h] of after.hosts.entries()) {
      for (const [j, c] of h.containers.entries()) {
        const old = before.hosts[i]!.containers[j]!;
        if (c.name !== 'kubelet') {
          assert.deepEqual(c, old, `${h.name}/${c.name} changed`);
          continue;
        }
        const changed = c.command.filter((arg, k) => arg !== old.command[k]);
        assert.deepEqual(changed, ['--max-pods=150'], `${h.name}/kubelet`);
      }
      assert.deepEqual(h.files, before.hosts[i]!.files);
    }
  });

  test('a kube-api extra_arg changes only kube-apiserver, only on controlplane hosts', () => {
    const before = buildPlan(specFrom(MIN_3));
    const after = buildPlan(specFrom(`${MIN_3}core: {kube-api: {extra_args: {audit-log-maxage: "7"}}}`));
    const changed = after.hosts.flatMap((h, i) =>
      h.containers
        .filter((c, j) => JSON.stringify(c) !== JSON.stringify(before.hosts[i]!.containers[j]))
        .map((c) => `${h.name}/${c.name}`),
    );
    assert.deepEqual(changed, ['a/kube-apiserver']);
  });

  test('every container is labelled as managed by zke for this cluster', () => {
    const plan = buildPlan(fixtureSpec('5-node'));
    for (const c of plan.hosts.flatMap((h) => h.containers)) {
      assert.deepEqual(c.labels, { 'io.zke.managed': 'true', 'io.zke.cluster': 'five' });
    }
  });

  test('containers per role: etcd, controlplane, and the worker plane everywhere', () => {
    const plan = buildPlan(specFrom(MIN_3));
    const names = (h: string) => host(plan, h).containers.map((c) => c.name);
    assert.deepEqual(names('a'), [
      'etcd',
      'etcd-rolling-snapshots',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'cri-dockerd',
      'kubelet',
      'kube-proxy',
    ]);
    assert.deepEqual(names('b'), [
      'etcd',
      'etcd-rolling-snapshots',
      'nginx-proxy',
      'cri-dockerd',
      'kubelet',
      'kube-proxy',
    ]);
  });

  test('nginx-proxy runs only where no apiserver runs and points at the controlplanes internal addresses', () => {
    const plan = buildPlan(fixtureSpec('5-node'));
    const proxied = plan.hosts
      .filter((h) => h.containers.some((c) => c.name === 'nginx-proxy'))
      .map((h) => h.name);
    assert.deepEqual(proxied, ['w1', 'edge1']);
    assert.deepEqual(containerOf(host(plan, 'w1'), 'nginx-proxy').env, [
      'CP_HOSTS=10.3.0.11,10.3.0.12,10.3.0.13',
    ]);
  });

  test('kubelet runs through cri-dockerd with cgroupfs and swap allowed', () => {
    const plan = buildPlan(fixtureSpec('5-node'));
    const w1 = host(plan, 'w1');
    const kubelet = containerOf(w1, 'kubelet');
    assert.equal(flag(kubelet, 'container-runtime-endpoint'), 'unix:///var/run/cri-dockerd.sock');
    assert.equal(flag(kubelet, 'cgroup-driver'), 'cgroupfs');
    assert.equal(flag(kubelet, 'fail-swap-on'), 'false');
    assert.equal(flag(kubelet, 'hostname-override'), 'w1');
    assert.equal(flag(kubelet, 'node-ip'), '10.3.0.21');
    assert.equal(flag(kubelet, 'cluster-dns'), '10.101.0.53');
    assert.equal(kubelet.privileged, true);
    const cri = containerOf(w1, 'cri-dockerd');
    assert.equal(cri.privileged, true);
    assert.equal(cri.pidMode, 'host');
    assert.equal(cri.networkMode, 'host');
    assert.equal(flag(cri, 'docker-endpoint'), 'unix:///srv/docker/docker.sock');
    assert.ok(cri.binds.includes('/srv/docker/docker.sock:/srv/docker/docker.sock'));
    assert.equal(flag(cri, 'pod-infra-container-image'), 'registry.lab:5000/zke/pause:3.10');
  });

  test('kube-proxy uses iptables unless extra_args says otherwise', () => {
    assert.equal(
      flag(containerOf(host(buildPlan(specFrom(MIN_3)), 'b'), 'kube-proxy'), 'proxy-mode'),
      'iptables',
    );
    assert.equal(
      flag(containerOf(host(buildPlan(fixtureSpec('5-node')), 'w1'), 'kube-proxy'), 'proxy-mode'),
      'ipvs',
    );
  });

  test('non-worker hosts get RKE taints; labels carry the roles; user taints are synced but not registered', () => {
    const plan = buildPlan(fixtureSpec('5-node'));
    const cp1 = host(plan, 'cp1');
    assert.deepEqual(cp1.nodeTaints, [
      { key: 'node-role.kubernetes.io/etcd', value: 'true', effect: 'NoExecute' },
      { key: 'node-role.kubernetes.io/controlplane', value: 'true', effect: 'NoSchedule' },
    ]);
    assert.equal(
      flag(containerOf(cp1, 'kubelet'), 'register-with-taints'),
      'node-role.kubernetes.io/etcd=true:NoExecute,node-role.kubernetes.io/controlplane=true:NoSchedule',
    );
    const w1 = host(plan, 'w1');
    assert.deepEqual(w1.nodeTaints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    assert.equal(flag(containerOf(w1, 'kubelet'), 'register-with-taints'), undefined);
    assert.deepEqual(w1.nodeLabels, { disk: 'ssd', 'node-role.kubernetes.io/worker': 'true' });
    assert.deepEqual(host(plan, 'edge1').nodeLabels, { 'node-role.kubernetes.io/edge': 'true' });
    assert.deepEqual(host(plan, 'edge1').nodeTaints, []);
  });

  test('etcd sends watch progress notifications every second, under the flag name of its minor', () => {
    // the apiserver's watch cache waits 3 s for them; etcd 3.6 renamed the flag and 3.7 dropped the old name
    for (const version of knownVersions()) {
      const plan = buildPlan(specFrom(`${MIN_3}option: {kubernetes_version: ${version}}\n`));
      for (const h of plan.hosts) {
        const etcd = containerOf(h, 'etcd');
        const minor = Number(/:v3\.([0-9]+)\./.exec(etcd.image)?.[1]);
        const name =
          minor >= 6 ? 'watch-progress-notify-interval' : 'experimental-watch-progress-notify-interval';
        assert.equal(flag(etcd, name), '1s', `${version} ${etcd.image}`);
      }
    }
  });

  test('a new cluster starts every etcd member with state new and the full member list', () => {
    const plan = buildPlan(specFrom(MIN_3));
    for (const h of plan.hosts) {
      const etcd = containerOf(h, 'etcd');
      assert.equal(flag(etcd, 'initial-cluster-state'), 'new');
      assert.equal(
        flag(etcd, 'initial-cluster'),
        'etcd-a=https://10.9.0.1:2380,etcd-b=https://10.9.0.2:2380,etcd-c=https://10.9.0.3:2380',
      );
    }
  });

  test('an existing cluster: members keep their list, a joining member lists the members and itself', () => {
    const plan = buildPlan(specFrom(MIN_3), { etcdMembers: ['a', 'b'] });
    const etcd = (name: string) => containerOf(host(plan, name), 'etcd');
    assert.equal(flag(etcd('a'), 'initial-cluster-state'), 'existing');
    assert.equal(
      flag(etcd('a'), 'initial-cluster'),
      'etcd-a=https://10.9.0.1:2380,etcd-b=https://10.9.0.2:2380',
    );
    assert.equal(
      flag(etcd('c'), 'initial-cluster'),
      'etcd-a=https://10.9.0.1:2380,etcd-b=https://10.9.0.2:2380,etcd-c=https://10.9.0.3:2380',
    );
  });

  test('apiservers reach every etcd member with the kube-node client certificate', () => {
    const api = containerOf(host(buildPlan(fixtureSpec('5-node')), 'cp2'), 'kube-apiserver');
    assert.equal(
      flag(api, 'etcd-servers'),
      'https://10.3.0.11:2379,https://10.3.0.12:2379,https://10.3.0.13:2379',
    );
    assert.equal(flag(api, 'etcd-certfile'), '/etc/kubernetes/ssl/kube-node.pem');
    assert.equal(flag(api, 'advertise-address'), '10.3.0.12');
    assert.equal(flag(api, 'service-cluster-ip-range'), '10.101.0.0/16');
  });

  test('etcd snapshots follow the spec: interval and retention through env, off when disabled', () => {
    const five = containerOf(host(buildPlan(fixtureSpec('5-node')), 'cp1'), 'etcd-rolling-snapshots');
    assert.ok(five.env.includes('SNAPSHOT_INTERVAL_SECONDS=3600'));
    assert.ok(five.env.includes('SNAPSHOT_RETENTION_MINUTES=360'));
    assert.ok(!five.command.join(' ').includes('3600'), 'values go through env, not the script');
    const three = buildPlan(fixtureSpec('3-node'));
    assert.ok(three.hosts.every((h) => !h.containers.some((c) => c.name === 'etcd-rolling-snapshots')));
  });

  test('prefix_path moves certificates and etcd data on the host, not inside containers', () => {
    const n1 = host(buildPlan(fixtureSpec('3-node')), 'n1');
    const etcd = containerOf(n1, 'etcd');
    assert.ok(etcd.binds.includes('/opt/zke-root/var/lib/etcd:/var/lib/zke/etcd'));
    assert.ok(etcd.binds.includes('/opt/zke-root/etc/kubernetes:/etc/kubernetes:ro'));
    assert.ok(n1.files.every((f) => f.path.startsWith('/opt/zke-root/etc/kubernetes/ssl/')));
    assert.equal(flag(etcd, 'trusted-ca-file'), '/etc/kubernetes/ssl/kube-ca.pem');
  });

  test('files reference certificates by name with the modes of the PKI; each etcd host gets every etcd cert', () => {
    const plan = buildPlan(fixtureSpec('5-node'));
    const cp1 = host(plan, 'cp1');
    const etcdCerts = cp1.files.filter(
      (f) => f.content.name.startsWith('kube-etcd-') && f.content.kind === 'cert',
    );
    assert.deepEqual(
      etcdCerts.map((f) => f.path),
      ['kube-etcd-10-3-0-11', 'kube-etcd-10-3-0-12', 'kube-etcd-10-3-0-13'].map(
        (n) => `/etc/kubernetes/ssl/${n}.pem`,
      ),
    );
    assert.ok(cp1.files.some((f) => f.content.kind === 'key' && f.content.name === 'kube-ca'));
    const w1 = host(plan, 'w1');
    assert.deepEqual(
      w1.files.map((f) => `${f.content.kind}:${f.content.name}:${f.mode.toString(8)}`),
      [
        'cert:kube-ca:644',
        'cert:kube-proxy:644',
        'key:kube-proxy:600',
        'kubeconfig:kube-proxy:600',
        'cert:kube-node:644',
        'key:kube-node:600',
        'kubeconfig:kube-node:600',
        'text:kubelet-docker-config:600',
      ],
    );
  });

  test("the kubelet's registry credentials are rendered on demand, never stored in the plan", () => {
    const spec = fixtureSpec('5-node');
    const plan = buildPlan(spec);
    assert.ok(!JSON.stringify(plan).includes('secret'));
    const config = JSON.parse(renderTextFile('kubelet-docker-config', spec, { encryptionKeys: [] }));
    assert.deepEqual(config, {
      auths: { 'registry.lab:5000': { auth: Buffer.from('puller:secret').toString('base64') } },
    });
  });

  test('generate_serving_certificate: each kubelet serves its own certificate, the apiserver checks it with kube-ca', () => {
    const plan = buildPlan(specFrom(`${MIN_3}core: {kubelet: {generate_serving_certificate: true}}`));
    const [a, b] = [host(plan, 'a'), host(plan, 'b')];
    assert.equal(
      flag(containerOf(b, 'kubelet'), 'tls-cert-file'),
      '/etc/kubernetes/ssl/kube-kubelet-10-9-0-2.pem',
    );
    assert.equal(
      flag(containerOf(b, 'kubelet'), 'tls-private-key-file'),
      '/etc/kubernetes/ssl/kube-kubelet-10-9-0-2-key.pem',
    );
    assert.equal(
      flag(containerOf(a, 'kube-apiserver'), 'kubelet-certificate-authority'),
      '/etc/kubernetes/ssl/kube-ca.pem',
    );
    const kubeletFiles = (h: typeof a) =>
      h.files
        .filter((f) => f.content.name.startsWith('kube-kubelet-'))
        .map((f) => `${f.content.kind}:${f.content.name}`);
    assert.deepEqual(kubeletFiles(b), ['cert:kube-kubelet-10-9-0-2', 'key:kube-kubelet-10-9-0-2']);
    assert.deepEqual(containersToRestart(b, ['kube-kubelet-10-9-0-2']), ['kubelet']);
    assert.deepEqual(containersToRestart(a, ['kube-kubelet-10-9-0-2']), []);
    const off = host(buildPlan(specFrom(MIN_3)), 'b');
    assert.equal(flag(containerOf(off, 'kubelet'), 'tls-cert-file'), undefined);
    assert.equal(
      flag(
        containerOf(host(buildPlan(specFrom(MIN_3)), 'a'), 'kube-apiserver'),
        'kubelet-certificate-authority',
      ),
      undefined,
    );
    assert.deepEqual(kubeletFiles(off), []);
  });

  test('etcd uid/gid: etcd runs as that user, which gets the data directory and its own certificate and key', () => {
    const plan = buildPlan(specFrom(`${MIN_3}core: {etcd: {uid: 52034, gid: 52035}}`));
    const a = host(plan, 'a');
    const etcd = containerOf(a, 'etcd');
    assert.equal(etcd.user, '52034:52035');
    assert.deepEqual(etcd.userDirs, ['/var/lib/etcd']);
    assert.equal(containerOf(a, 'etcd-rolling-snapshots').user, undefined);
    const owned = a.files.filter((f) => f.owner).map((f) => `${f.content.kind}:${f.content.name}:${f.owner}`);
    assert.deepEqual(owned, ['cert:kube-etcd-10-9-0-1:52034:52035', 'key:kube-etcd-10-9-0-1:52034:52035']);
    const plain = host(buildPlan(specFrom(`${MIN_3}core: {etcd: {uid: 0, gid: 0}}`)), 'a');
    assert.equal(containerOf(plain, 'etcd').user, undefined);
    assert.ok(plain.files.every((f) => f.owner === undefined));
  });

  test('etcd uid without gid (or the other way round) is an error naming the key', () => {
    const result = parseClusterSpec(`${MIN_3}core: {etcd: {uid: 52034}}`);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.errors.map((e) => `${e.path}: ${e.message}`),
      ['core.etcd.gid: give both uid and gid (not 0): etcd runs as uid:gid'],
    );
  });

  test('image overrides and the default registry reach the containers', () => {
    const spec = specFrom(`${MIN_3}system_images: {kubernetes: mirror/hyperkube:test}`);
    const a = host(buildPlan(spec), 'a');
    assert.equal(containerOf(a, 'kube-apiserver').image, 'mirror/hyperkube:test');
    assert.equal(containerOf(a, 'etcd').image, 'zke/etcd:v3.6.17');
    assert.equal(
      containerOf(host(buildPlan(fixtureSpec('5-node')), 'w1'), 'kubelet').image,
      'registry.lab:5000/zke/hyperkube:v1.34.4',
    );
    // the pod sandbox image is zke's pull (with the registry's credentials), not cri-dockerd's (without them)
    assert.deepEqual(containerOf(host(buildPlan(fixtureSpec('5-node')), 'w1'), 'cri-dockerd').pulls, [
      'registry.lab:5000/zke/pause:3.10',
    ]);
  });

  test('a new cluster: the provisioning steps in order, with their hosts and how they run on them', () => {
    const plan = buildPlan(fixtureSpec('5-node'));
    assert.deepEqual(plan.steps.map(describeStep), [
      'check hosts: in parallel, at most 50 at once on cp1, cp2, cp3, w1, edge1',
      'port check: in parallel, at most 50 at once on cp1, cp2, cp3, w1, edge1',
      'certificates: on the worker',
      'deploy certificates: in parallel, at most 50 at once on cp1, cp2, cp3, w1, edge1',
      'etcd plane: one host at a time on cp1, cp2, cp3',
      'control plane: in parallel, at most 50 at once on cp1, cp2, cp3',
      'rbac: through the Kubernetes API',
      'worker plane: in parallel, at most 50 at once on cp1, cp2, cp3, w1, edge1',
      'network plugin: through the Kubernetes API',
      'addons: through the Kubernetes API',
      'node labels and taints: through the Kubernetes API on cp1, cp2, cp3, w1, edge1',
      'kubeconfig: on the worker',
    ]);
  });

  test('a provisioned cluster: the upgrade steps, rolling windows with their bounds, removed hosts', () => {
    const plan = buildPlan(fixtureSpec('5-node'), { hosts: ['cp1', 'old-worker'], etcdMembers: ['cp1'] });
    assert.deepEqual(plan.steps.map(describeStep), [
      'etcd snapshot: in parallel, at most 50 at once on cp1',
      'plan changes: on the worker',
      'check hosts: in parallel, at most 50 at once on cp1, cp2, cp3, w1, edge1',
      'port check: in parallel, at most 50 at once on cp2, cp3, w1, edge1',
      'certificates: on the worker',
      'deploy certificates: in parallel, at most 50 at once on cp1, cp2, cp3, w1, edge1',
      'etcd plane: one host at a time on cp1, cp2, cp3',
      'control plane: rolling, at most 1 unavailable (1) on cp1, cp2, cp3',
      'worker plane: rolling, at most 1 unavailable (10%) on w1, edge1',
      'removed hosts: in parallel, at most 50 at once on old-worker',
      'addons: through the Kubernetes API',
      'node labels and taints: through the Kubernetes API on cp1, cp2, cp3, w1, edge1',
      'kubeconfig: on the worker',
    ]);
    assert.deepEqual(plan.removedHosts, ['old-worker']);
  });

  test('the port check: every host of a new cluster, the new hosts of an upgrade, none when disabled', () => {
    const spec = fixtureSpec('5-node');
    const portCheck = (disablePortCheck: boolean, state = {}) =>
      buildPlan({ ...spec, disablePortCheck }, state).steps.find((s) => s.name === 'port check')?.hosts;
    assert.deepEqual(portCheck(false), ['cp1', 'cp2', 'cp3', 'w1', 'edge1']);
    assert.deepEqual(portCheck(false, { hosts: ['cp1', 'cp2', 'cp3'] }), ['w1', 'edge1']);
    assert.equal(
      portCheck(false, { hosts: ['cp1', 'cp2', 'cp3', 'w1', 'edge1'] }),
      undefined,
      'no host joins',
    );
    assert.equal(portCheck(true), undefined);
    assert.equal(portCheck(true, { hosts: ['cp1'] }), undefined);
  });
});
