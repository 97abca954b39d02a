// Which addons a spec gets, in what order, and the shape every addon object must have to be applied.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  ADDON_LABEL,
  ADDON_ORDER,
  type AddonName,
  addonObjects,
  addonsFor,
  type KubeObject,
} from '../../model/addons/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { at, describe, threeNodeSpec, withMetallb } from './addons-fixture.ts';

const CLUSTER_SCOPED = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'APIService',
  'IngressClass',
  'Namespace',
  'CustomResourceDefinition',
]);
/** Roles Kubernetes creates itself, which an addon may bind to without shipping them. */
const BUILT_IN_ROLES = new Set([
  'cluster-admin',
  'system:node',
  'system:auth-delegator',
  'extension-apiserver-authentication-reader',
]);

const BUILT_IN = (['rbac', 'network', 'coredns', 'metrics-server', 'ingress', 'metallb'] as const).map(
  (addon) => ({ addon, objects: addonObjects(withMetallb(), addon) }),
);

function podSpecs(objects: readonly KubeObject[]): Record<string, unknown>[] {
  return objects
    .filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment')
    .map((o) => at(o, 'spec.template.spec') as Record<string, unknown>);
}

function containers(objects: readonly KubeObject[]): { image: string }[] {
  return podSpecs(objects).flatMap((pod) => [
    ...((pod.initContainers as { image: string }[]) ?? []),
    ...(pod.containers as { image: string }[]),
  ]);
}

suite('addonsFor', () => {
  test('a default spec gets every built-in addon, rbac first, in ADDON_ORDER', () => {
    assert.deepEqual(addonsFor(threeNodeSpec()), ['rbac', 'network', 'coredns', 'metrics-server', 'ingress']);
  });

  test('a provider set to none drops its addon and nothing else', () => {
    const base = threeNodeSpec();
    const cases: [AddonName, ClusterSpec][] = [
      ['network', { ...base, network: { ...base.network, plugin: 'none' } }],
      ['coredns', { ...base, dns: { ...base.dns, provider: 'none' } }],
      ['metrics-server', { ...base, monitoring: { ...base.monitoring, provider: 'none' } }],
      ['ingress', { ...base, ingress: { ...base.ingress, provider: 'none' } }],
    ];
    for (const [dropped, spec] of cases) {
      assert.deepEqual(
        addonsFor(spec),
        ADDON_ORDER.filter((a) => a !== dropped && a !== 'metallb' && a !== 'user'),
        dropped,
      );
    }
  });

  test('the load balancer adds metallb after ingress, before user addons', () => {
    const spec = { ...withMetallb(), addons: 'kind: ConfigMap' };
    assert.deepEqual(addonsFor(spec).slice(-3), ['ingress', 'metallb', 'user']);
  });

  test('inline addons add `user` last; blank ones do not', () => {
    assert.equal(addonsFor({ ...threeNodeSpec(), addons: 'kind: ConfigMap' }).at(-1), 'user');
    assert.ok(!addonsFor({ ...threeNodeSpec(), addons: '  \n' }).includes('user'));
  });
});

suite('every built-in addon object', () => {
  for (const { addon, objects } of BUILT_IN) {
    test(`${addon}: apiVersion, kind and name set; namespaced exactly when the kind is`, () => {
      assert.ok(objects.length > 0);
      for (const o of objects) {
        assert.match(o.apiVersion, /^([a-z0-9.]+\/)?v1(beta1)?$/, describe(o));
        assert.match(o.kind, /^[A-Z][A-Za-z0-9]+$/, describe(o));
        assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9.:]*[a-z0-9])?$/, describe(o));
        assert.equal(o.metadata.namespace === undefined, CLUSTER_SCOPED.has(o.kind), describe(o));
      }
    });

    test(`${addon}: labelled io.zke.addon=${addon}, no two objects alike, plain JSON`, () => {
      for (const o of objects) assert.equal(o.metadata.labels?.[ADDON_LABEL], addon, describe(o));
      const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
      assert.equal(new Set(keys).size, keys.length);
      assert.deepEqual(JSON.parse(JSON.stringify(objects)), objects);
    });

    test(`${addon}: workloads select their own pods and use accounts, config maps and roles that exist`, () => {
      const has = (kind: string, name: string) =>
        objects.some((o) => o.kind === kind && o.metadata.name === name);
      for (const o of objects.filter((x) => x.kind === 'DaemonSet' || x.kind === 'Deployment')) {
        const selector = at(o, 'spec.selector.matchLabels') as Record<string, string>;
        const labels = at(o, 'spec.template.metadata.labels') as Record<string, string>;
        for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v, describe(o));
      }
      for (const pod of podSpecs(objects)) {
        assert.ok(has('ServiceAccount', pod.serviceAccountName as string), `${pod.serviceAccountName}`);
        for (const volume of (pod.volumes as { configMap?: { name: string } }[]) ?? []) {
          if (volume.configMap) assert.ok(has('ConfigMap', volume.configMap.name), volume.configMap.name);
        }
      }
      for (const binding of objects.filter((o) => o.kind.endsWith('RoleBinding'))) {
        const { kind, name } = binding.roleRef as { kind: string; name: string };
        assert.ok(has(kind, name) || BUILT_IN_ROLES.has(name), `${describe(binding)} -> ${kind}/${name}`);
      }
    });

    test(`${addon}: every container image comes from the spec's system images`, () => {
      const images = new Set(Object.values(threeNodeSpec().systemImages));
      for (const c of containers(objects)) assert.ok(images.has(c.image), c.image);
    });
  }
});

suite('per-addon images', () => {
  const images = threeNodeSpec().systemImages;
  const imagesOf = (addon: AddonName) =>
    [...new Set(containers(addonObjects(threeNodeSpec(), addon)).map((c) => c.image))].sort();

  test('each workload addon runs its own image keys', () => {
    assert.deepEqual(imagesOf('network'), [images.flannel, images.flannel_cni].sort());
    assert.deepEqual(imagesOf('coredns'), [images.coredns]);
    assert.deepEqual(imagesOf('metrics-server'), [images.metrics_server]);
    assert.deepEqual(imagesOf('ingress'), [images.ingress]);
    assert.deepEqual(imagesOf('metallb'), [images.metallb]);
    assert.deepEqual(imagesOf('rbac'), []);
  });

  test('an overridden image in the spec is the one deployed', () => {
    const spec = threeNodeSpec();
    const custom = { ...spec, systemImages: { ...spec.systemImages, coredns: 'mirror.test/coredns:custom' } };
    assert.deepEqual(
      containers(addonObjects(custom, 'coredns')).map((c) => c.image),
      ['mirror.test/coredns:custom'],
    );
  });
});
