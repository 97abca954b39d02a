// The host diff: what the provisioner creates, replaces (and why), removes or leaves alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planChanges } from '../../api/service/plan.ts';
import {
  type CurrentContainer,
  describeChange,
  diffContainers,
  diffFiles,
  diffHost,
  hasChanges,
  tokenLoss,
} from '../../model/diff.ts';
import { buildPlan, type HostPlan, type PlannedContainer } from '../../model/plan/index.ts';
import { host, MIN_3, specFrom } from './plan-fixture.ts';

/** What `docker inspect` gives back for a planned container (no healthcheck; the image adds its env and labels). */
function running(c: PlannedContainer, imageEnv: string[] = []): CurrentContainer {
  const { healthcheck: _healthcheck, ...docker } = c;
  return {
    ...docker,
    env: [...imageEnv, ...c.env],
    labels: { ...c.labels, 'org.opencontainers.image.title': 'x' },
    imageEnv,
  };
}

const now = (h: HostPlan) => h.containers.map((c) => running(c));
const actions = (changes: readonly { name: string; action: string }[]) =>
  changes.map((c) => `${c.name}:${c.action}`);

describe('container diff', () => {
  test('no change: every container is unchanged, even with image env and image labels', () => {
    const plan = buildPlan(specFrom(MIN_3));
    for (const h of plan.hosts) {
      const current = h.containers.map((c) => running(c, ['PATH=/usr/local/bin:/usr/bin', 'LANG=C.UTF-8']));
      const changes = diffContainers(h.containers, current);
      assert.ok(
        changes.every((c) => c.action === 'unchanged'),
        JSON.stringify(changes),
      );
    }
  });

  test('one extra_arg changed: exactly kubelet is replaced, with the argument as the reason', () => {
    const before = buildPlan(specFrom(`${MIN_3}core: {kubelet: {extra_args: {max-pods: "110"}}}`));
    const after = buildPlan(specFrom(`${MIN_3}core: {kubelet: {extra_args: {max-pods: "150"}}}`));
    for (const h of after.hosts) {
      const changes = diffContainers(h.containers, now(host(before, h.name)));
      const replaced = changes.filter((c) => c.action !== 'unchanged');
      assert.deepEqual(replaced, [
        {
          name: 'kubelet',
          action: 'replace',
          reasons: [{ field: 'command', detail: '-"--max-pods=110" +"--max-pods=150"' }],
        },
      ]);
    }
  });

  test('an image override replaces the containers of that image and nothing else', () => {
    const before = buildPlan(specFrom(MIN_3));
    const after = buildPlan(specFrom(`${MIN_3}system_images: {kubernetes: mirror/hyperkube:v1.34.4-fix}`));
    const changes = diffContainers(host(after, 'a').containers, now(host(before, 'a')));
    assert.deepEqual(
      changes.filter((c) => c.action === 'replace').map((c) => c.name),
      ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy'],
    );
    const kubelet = changes.find((c) => c.name === 'kubelet')!;
    assert.deepEqual(kubelet.reasons, [
      { field: 'image', detail: 'zke/hyperkube:v1.34.4 -> mirror/hyperkube:v1.34.4-fix' },
    ]);
  });

  test('etcd uid/gid given: only etcd is replaced, for its user; Docker\'s "" is no user', () => {
    const before = host(buildPlan(specFrom(MIN_3)), 'a');
    const after = host(buildPlan(specFrom(`${MIN_3}core: {etcd: {uid: 1001, gid: 1002}}`)), 'a');
    const asInspected = before.containers.map((c) => ({ ...running(c), user: '' }));
    const changes = diffContainers(after.containers, asInspected).filter((c) => c.action !== 'unchanged');
    assert.deepEqual(changes, [
      { name: 'etcd', action: 'replace', reasons: [{ field: 'user', detail: '"" -> "1001:1002"' }] },
    ]);
    assert.ok(diffContainers(before.containers, asInspected).every((c) => c.action === 'unchanged'));
  });

  test("etcd's bootstrap flags changing (new -> existing, a member joining) do not replace running members", () => {
    const fresh = buildPlan(specFrom(MIN_3));
    const later = buildPlan(specFrom(MIN_3), { etcdMembers: ['a', 'b'] });
    const changes = diffContainers(host(later, 'a').containers, now(host(fresh, 'a')));
    assert.ok(
      changes.every((c) => c.action === 'unchanged'),
      JSON.stringify(changes),
    );
    const moved = buildPlan(specFrom(MIN_3.replace('10.9.0.1', '10.9.0.11')));
    const etcd = diffContainers(host(moved, 'b').containers, now(host(fresh, 'b'))).find(
      (c) => c.name === 'etcd',
    );
    assert.equal(etcd?.action, 'unchanged', 'only --initial-cluster mentions other members');
    const self = diffContainers(host(moved, 'a').containers, now(host(fresh, 'a'))).find(
      (c) => c.name === 'etcd',
    );
    assert.equal(self?.action, 'replace', 'its own addresses are not bootstrap-only');
  });

  test('a node removed from the spec: its managed containers are removed, foreign ones are left alone', () => {
    const before = buildPlan(specFrom(MIN_3));
    const c = host(before, 'c');
    const foreign: CurrentContainer = { ...running(c.containers[0]!), name: 'user-app', labels: {} };
    const diff = diffHost('c', undefined, { containers: [...now(c), foreign], files: [] });
    assert.deepEqual(
      actions(diff.containers),
      ['etcd', 'etcd-rolling-snapshots', 'nginx-proxy', 'cri-dockerd', 'kubelet', 'kube-proxy'].map(
        (n) => `${n}:remove`,
      ),
    );
  });

  test('new host: everything is created; leftovers of a broken replace (old-<name>) are removed', () => {
    const h = host(buildPlan(specFrom(MIN_3)), 'b');
    const leftover = { ...running(h.containers[0]!), name: 'old-kubelet' };
    const changes = diffContainers(h.containers, [leftover]);
    assert.deepEqual(actions(changes), [
      ...h.containers.map((c) => `${c.name}:create`),
      'old-kubelet:remove',
    ]);
  });

  test('a controlplane added: nginx-proxy is replaced because CP_HOSTS changed; it leaves a new controlplane', () => {
    const before = buildPlan(specFrom(MIN_3));
    const after = buildPlan(
      specFrom(MIN_3.replace('roles: [etcd, worker]}', 'roles: [etcd, controlplane, worker]}')),
    );
    const onC = diffContainers(host(after, 'c').containers, now(host(before, 'c')));
    assert.deepEqual(onC.find((c) => c.name === 'nginx-proxy')?.reasons, [
      { field: 'env', detail: '-"CP_HOSTS=10.9.0.1" +"CP_HOSTS=10.9.0.1,10.9.0.2"' },
    ]);
    const onB = diffContainers(host(after, 'b').containers, now(host(before, 'b')));
    assert.ok(onB.some((c) => c.name === 'nginx-proxy' && c.action === 'remove'));
    assert.ok(onB.some((c) => c.name === 'kube-apiserver' && c.action === 'create'));
  });

  test("RKE's containers (adoption): replaced by zke's of the same name, its helpers removed, each line says so", () => {
    const h = host(buildPlan(specFrom(MIN_3)), 'b');
    const rkes = (name: string, command: string[]): CurrentContainer => ({
      ...running(h.containers.find((c) => c.name === 'kubelet')!),
      name,
      command,
      labels: { 'io.rancher.rke.container.name': name },
    });
    const current = [
      rkes('kubelet', ['/opt/rke-tools/entrypoint.sh', 'kubelet', '--v=2']),
      rkes('service-sidekick', ['/bin/bash']),
    ];
    const changes = diffContainers(h.containers, current);
    const line = (name: string) =>
      describeChange(
        changes.find((c) => c.name === name)!,
        current.find((c) => c.name === name),
      );
    assert.equal(line('kubelet'), "kubelet: replace RKE's (command, labels)");
    assert.equal(line('cri-dockerd'), 'cri-dockerd: create');
    assert.equal(line('service-sidekick'), "service-sidekick: remove (RKE's, zke runs no such container)");
  });

  test('reasons name every differing field; bind order does not matter, argument order does', () => {
    const planned = host(buildPlan(specFrom(MIN_3)), 'b').containers.find((c) => c.name === 'kubelet')!;
    const same = running(planned);
    assert.deepEqual(
      diffContainers([planned], [{ ...same, binds: [...same.binds].reverse() }])[0]!.action,
      'unchanged',
    );
    const drifted: CurrentContainer = {
      ...same,
      command: [same.command[0]!, ...same.command.slice(1).reverse()],
      env: ['EXTRA=1'],
      privileged: false,
      pidMode: '',
      restartPolicy: 'no',
      labels: { 'io.zke.managed': 'true', 'io.zke.cluster': 'other' },
    };
    const [change] = diffContainers([planned], [drifted]);
    assert.equal(change!.action, 'replace');
    assert.deepEqual(
      change!.reasons.map((r) => `${r.field}: ${r.detail}`),
      [
        'command: argument order',
        'env: -"EXTRA=1"',
        'labels: -"io.zke.cluster=other" +"io.zke.cluster=t3"',
        'pidMode: "" -> "host"',
        'privileged: false -> true',
        'restartPolicy: "no" -> "always"',
      ],
    );
  });
});

describe("the pods' service account tokens across a kube-apiserver change", () => {
  const apiserver = (yaml = '') => {
    const plan = buildPlan(specFrom(`${MIN_3}${yaml}`));
    return plan.hosts.flatMap((h) => h.containers).find((c) => c.name === 'kube-apiserver')!;
  };
  /** What RKE's kube-apiserver runs with (rancher/kontainer-driver-metadata rke/k8s_service_options.go, v1.21+). */
  const RKE_TRUST = `core: {kube-api: {extra_args: {service-account-issuer: rke, api-audiences: unknown}}}\n`;

  test("zke's own, and RKE's kept through extra_args: the tokens stay valid", () => {
    assert.equal(tokenLoss([apiserver()], [running(apiserver())]), undefined);
    assert.equal(tokenLoss([apiserver(RKE_TRUST)], [running(apiserver(RKE_TRUST))]), undefined);
  });

  test("RKE's issuer and audience replaced by zke's: named, with the extra_args that keep them", () => {
    const loss = tokenLoss([apiserver()], [running(apiserver(RKE_TRUST))]);
    assert.equal(
      loss,
      'kube-apiserver: the planned one would refuse the service account tokens issued now (issuer "rke", audiences "unknown"; ' +
        'planned: issuers "https://kubernetes.default.svc.cluster.local", audiences "https://kubernetes.default.svc.cluster.local"): ' +
        "pods lose the API until their host's kubelet renews their tokens, and tokens held outside the cluster (CI jobs, " +
        "Vault's Kubernetes auth) stop working; keep them with services.kube-api.extra_args service-account-issuer: rke " +
        'and api-audiences: unknown in cluster.yml',
    );
  });

  test('a kept issuer with none of the audiences is a loss too; a different cluster domain changes the issuer', () => {
    const audience = `core: {kube-api: {extra_args: {service-account-issuer: rke, api-audiences: other}}}\n`;
    assert.match(
      tokenLoss([apiserver(audience)], [running(apiserver(RKE_TRUST))]) ?? '',
      /audiences "unknown"/,
    );
    const domain = `core: {kubelet: {cluster_domain: example.internal}}\n`;
    assert.match(
      tokenLoss([apiserver(domain)], [running(apiserver())]) ?? '',
      /issuer "https:\/\/kubernetes\.default\.svc\.cluster\.local"/,
    );
  });
});

test("zke plan notes it when a changed file would do it (RKE's extra_args dropped after adoption)", () => {
  const rke = specFrom(
    `${MIN_3}core: {kube-api: {extra_args: {service-account-issuer: rke, api-audiences: unknown}}}\n`,
  );
  const view = planChanges({ applied: rke, target: specFrom(MIN_3) });
  assert.deepEqual(
    view.notes.filter((n) => n.includes('service account tokens')).map((n) => n.split(';')[0]),
    [
      'kube-apiserver: the planned one would refuse the service account tokens issued now (issuer "rke", audiences "unknown"',
    ],
  );
  assert.deepEqual(planChanges({ applied: rke, target: rke }).notes, []);
});

describe('file diff', () => {
  const files = host(buildPlan(specFrom(MIN_3)), 'b').files;
  const hashOf = (path: string) => `h:${path}`;

  test('by content hash and mode: create, rewrite, remove, unchanged; unknown when the content is not known', () => {
    const [ca, proxy, proxyKey, ...rest] = files;
    const current = [
      { path: proxy!.path, hash: 'stale', mode: proxy!.mode },
      { path: proxyKey!.path, hash: hashOf(proxyKey!.path), mode: 0o644 },
      ...rest.map((f) => ({ path: f.path, hash: hashOf(f.path), mode: f.mode })),
      { path: '/etc/kubernetes/ssl/kube-etcd-10-9-0-9.pem', hash: 'x', mode: 0o644 },
    ];
    const changes = diffFiles(files, current, (f) => hashOf(f.path));
    const byPath = new Map(changes.map((c) => [c.path, c]));
    assert.equal(byPath.get(ca!.path)!.action, 'create');
    assert.deepEqual(byPath.get(proxy!.path)!.reasons, ['content']);
    assert.deepEqual(byPath.get(proxyKey!.path)!.reasons, ['mode']);
    assert.ok(rest.every((f) => byPath.get(f.path)!.action === 'unchanged'));
    assert.equal(byPath.get('/etc/kubernetes/ssl/kube-etcd-10-9-0-9.pem')!.action, 'remove');
    const offline = diffFiles(files, current, () => undefined);
    assert.equal(offline.find((c) => c.path === rest[0]!.path)!.action, 'unknown');
  });

  test('hasChanges is false only when nothing must be done', () => {
    const h = host(buildPlan(specFrom(MIN_3)), 'b');
    const current = {
      containers: now(h),
      files: h.files.map((f) => ({ path: f.path, hash: hashOf(f.path), mode: f.mode })),
    };
    assert.equal(hasChanges(diffHost('b', h, current, (f) => hashOf(f.path))), false);
    assert.equal(hasChanges(diffHost('b', h, { ...current, files: [] }, (f) => hashOf(f.path))), true);
  });
});
