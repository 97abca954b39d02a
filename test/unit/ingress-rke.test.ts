// The ingress block as RKE and zke users write it: where the controller runs, on which ports, with which of
// their settings. What runs is Traefik; each nginx setting it cannot honour is an error naming the setting.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { addonObjects, type KubeObject } from '../../model/addons/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { at, find } from './addons-fixture.ts';

const RKE_NODES = [
  { address: '10.0.0.1', user: 'rke', role: ['controlplane', 'etcd'] },
  { address: '10.0.0.2', user: 'rke', role: ['worker'] },
];
const ZKE_NODES = [
  { address: '10.0.0.1', roles: ['controlplane', 'etcd', 'worker'] },
  { address: '10.0.0.2', roles: ['worker', 'edge'] },
];

function parsed(doc: Record<string, unknown>): ClusterSpec {
  const result = parseClusterSpec(doc);
  if (!result.ok) assert.fail(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return result.spec;
}

function rke(ingress: Record<string, unknown> = {}): ClusterSpec {
  return parsed({ nodes: RKE_NODES, ingress });
}

function errorsOf(doc: Record<string, unknown>): string[] {
  const result = parseClusterSpec(doc);
  assert.equal(result.ok, false, 'expected errors');
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

function controller(spec: ClusterSpec): KubeObject {
  return find(addonObjects(spec, 'ingress'), 'DaemonSet', 'traefik-ingress-controller');
}

function pod(spec: ClusterSpec): Record<string, any> {
  return at(controller(spec), 'spec.template.spec') as Record<string, any>;
}

function args(spec: ClusterSpec): string[] {
  return pod(spec).containers[0].args;
}

suite('placement', () => {
  test('RKE format: on the worker nodes, and where ingress.node_selector says', () => {
    assert.deepEqual(pod(rke()).nodeSelector, { 'node-role.kubernetes.io/worker': 'true' });
    assert.deepEqual(pod(rke({ node_selector: { app: 'ingress' } })).nodeSelector, {
      app: 'ingress',
      'node-role.kubernetes.io/worker': 'true',
    });
  });

  test('zke format keeps the edge rule; an RKE file without edge nodes gets no edge warning', () => {
    const zke = parseClusterSpec({ nodes: ZKE_NODES });
    assert.ok(zke.ok);
    assert.deepEqual(pod(zke.spec).nodeSelector, { 'node-role.kubernetes.io/edge': 'true' });
    const file = parseClusterSpec({ nodes: RKE_NODES });
    assert.ok(file.ok);
    assert.ok(!file.warnings.some((w) => /edge/.test(w.message)), JSON.stringify(file.warnings));
  });
});

suite('ports and network mode', () => {
  test('hostNetwork (the default): Traefik listens on http_port and https_port of the host', () => {
    const spec = rke({ http_port: 8080, https_port: 8443 });
    assert.equal(pod(spec).hostNetwork, true);
    assert.ok(args(spec).includes('--entryPoints.web.address=:8080'));
    assert.ok(args(spec).includes('--entryPoints.websecure.address=:8443'));
    assert.deepEqual(
      pod(spec).containers[0].ports.map((p: { hostPort: number }) => p.hostPort),
      [8080, 8443],
    );
  });

  test('hostPort: the pod network, ports 80/443 published on http_port/https_port; none: no host port', () => {
    const hostPort = rke({ network_mode: 'hostPort', http_port: 8080 });
    assert.equal(pod(hostPort).hostNetwork, false);
    assert.equal(pod(hostPort).dnsPolicy, 'ClusterFirst');
    assert.ok(args(hostPort).includes('--entryPoints.web.address=:80'));
    assert.deepEqual(
      pod(hostPort).containers[0].ports.map((p: Record<string, number>) => [p.containerPort, p.hostPort]),
      [
        [80, 8080],
        [443, 443],
      ],
    );
    const none = rke({ network_mode: 'none' });
    assert.equal(pod(none).hostNetwork, false);
    assert.ok(pod(none).containers[0].ports.every((p: object) => !('hostPort' in p)));
    const unused = parseClusterSpec({ nodes: RKE_NODES, ingress: { network_mode: 'none', http_port: 8080 } });
    assert.deepEqual(unused.warnings, [
      { path: 'ingress.http_port', message: 'no effect: network_mode none publishes no host port' },
    ]);
  });

  test('what RKE refuses is refused, at the path RKE names', () => {
    const errors = errorsOf({
      nodes: RKE_NODES,
      ingress: { network_mode: 'bridge', http_port: 443, dns_policy: 'Sometimes' },
    });
    assert.ok(
      errors.some((e) => e.startsWith('ingress.network_mode: unknown ingress network mode "bridge"')),
    );
    assert.ok(
      errors.includes('ingress.https_port: http and https ports need to be different'),
      errors.join('\n'),
    );
    assert.ok(errors.some((e) => e.startsWith('ingress.dns_policy: unknown DNS policy "Sometimes"')));
  });

  test('http_port 0, as rke config writes it, is port 80', () => {
    assert.ok(args(rke({ http_port: 0, https_port: 0 })).includes('--entryPoints.web.address=:80'));
  });
});

suite('provider and class', () => {
  test('nginx serves IngressClass nginx, traefik serves IngressClass traefik; both are the default class', () => {
    for (const provider of ['nginx', 'traefik']) {
      const spec = rke({ provider });
      const objects = addonObjects(spec, 'ingress');
      const ingressClass = find(objects, 'IngressClass', provider);
      assert.equal(
        ingressClass.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'],
        'true',
      );
      assert.ok(args(spec).includes(`--providers.kubernetesingress.ingressclass=${provider}`));
    }
  });

  test('default_ingress_class: false leaves the class without the default annotation value true', () => {
    const ingressClass = find(
      addonObjects(rke({ default_ingress_class: false }), 'ingress'),
      'IngressClass',
      'nginx',
    );
    assert.equal(ingressClass.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'false');
  });

  test('an unknown provider names the known ones', () => {
    const errors = errorsOf({ nodes: RKE_NODES, ingress: { provider: 'haproxy' } });
    assert.ok(
      errors.includes('ingress.provider: unknown ingress provider "haproxy" (known: nginx, traefik, none)'),
    );
  });
});

suite('options and flags', () => {
  test('use-forwarded-headers becomes Traefik forwardedHeaders; other nginx options are errors naming them', () => {
    const spec = rke({ options: { 'use-forwarded-headers': 'true' } });
    assert.ok(args(spec).includes('--entryPoints.web.forwardedHeaders.insecure=true'));
    assert.ok(args(spec).includes('--entryPoints.websecure.forwardedHeaders.insecure=true'));
    const errors = errorsOf({ nodes: RKE_NODES, ingress: { options: { 'proxy-body-size': '10m' } } });
    assert.ok(
      errors.some((e) =>
        e.startsWith("ingress.options.proxy-body-size: Traefik, zke's ingress controller, has no equivalent"),
      ),
      errors.join('\n'),
    );
  });

  test('Traefik flags in extra_args are passed; an ingress-nginx flag is an error naming it', () => {
    assert.ok(
      args(rke({ extra_args: { 'log.level': 'DEBUG', accesslog: 'true' } })).includes('--log.level=DEBUG'),
    );
    const errors = errorsOf({
      nodes: RKE_NODES,
      ingress: { extra_args: { 'default-ssl-certificate': 'ingress/tls' } },
    });
    assert.ok(
      errors.some((e) =>
        e.startsWith(
          "ingress.extra_args.default-ssl-certificate: Traefik, zke's ingress controller, has no flag",
        ),
      ),
      errors.join('\n'),
    );
  });
});

suite('pod settings', () => {
  test('dns_policy, tolerations, env, volumes, mounts, update strategy and priority class reach the pod', () => {
    const spec = rke({
      dns_policy: 'Default',
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationseconds: 300 }],
      extra_envs: [{ name: 'TZ', value: 'UTC' }],
      extra_volumes: [{ name: 'certs', hostPath: { path: '/etc/certs' } }],
      extra_volume_mounts: [{ name: 'certs', mountPath: '/certs', readOnly: true }],
      update_strategy: { strategy: 'RollingUpdate', rollingUpdate: { maxUnavailable: 5 } },
      nginx_ingress_controller_priority_class_name: 'ingress-critical',
    });
    const p = pod(spec);
    assert.equal(p.dnsPolicy, 'Default');
    assert.deepEqual(p.tolerations, [
      { key: 'dedicated', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    assert.deepEqual(p.containers[0].env, [{ name: 'TZ', value: 'UTC' }]);
    assert.deepEqual(p.volumes, [{ name: 'certs', hostPath: { path: '/etc/certs' } }]);
    assert.deepEqual(p.containers[0].volumeMounts, [{ name: 'certs', mountPath: '/certs', readOnly: true }]);
    assert.equal(p.priorityClassName, 'ingress-critical');
    assert.deepEqual(at(controller(spec), 'spec.updateStrategy'), {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 5 },
    });
  });
});
