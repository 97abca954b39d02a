// The default private registry (`is_default: true`) is RKE's air-gap switch: every system image zke's plan runs
// or its addons deploy is pulled from it. Images the user names himself (system_images, user addons) are not.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { addonObjects } from '../../model/addons/index.ts';
import { clusterImages, credentialsFor, podImages, referenceSpec } from '../../model/images.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { type ClusterSpec, parseClusterSpec } from '../../model/spec/index.ts';

const NODES = `
nodes:
  - {address: 10.0.0.1, roles: [etcd, controlplane]}
  - {address: 10.0.0.2, roles: [worker]}
  - {address: 10.0.0.3, roles: [edge, worker]}
services: {etcd: {snapshot: true}}
`;
const REGISTRY = 'mirror.example:5000/platform';
const USER_ADDON = `addons: |
  apiVersion: apps/v1
  kind: Deployment
  metadata: {name: app, namespace: default}
  spec:
    selector: {matchLabels: {app: app}}
    template:
      metadata: {labels: {app: app}}
      spec: {containers: [{name: app, image: team/app:1}]}
`;

function spec(extra = ''): ClusterSpec {
  const result = parseClusterSpec(`${NODES}${extra}`);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.spec;
}

const withDefault = (registries = `[{url: ${REGISTRY}, is_default: true}]`) =>
  spec(`private_registries: ${registries}\n`);

suite('the default private registry', () => {
  test('prefixes the image of every container of every host', () => {
    const plain = buildPlan(spec());
    const mirrored = buildPlan(withDefault());
    const images = (plan: typeof plain) =>
      plan.hosts.flatMap((h) => h.containers.map((c) => `${h.name} ${c.image}`));
    assert.ok(images(plain).length >= 12, images(plain).join('\n'));
    assert.deepEqual(
      images(mirrored),
      images(plain).map((line) => line.replace(' ', ` ${REGISTRY}/`)),
    );
  });

  test('prefixes the pod sandbox image handed to the container runtime', () => {
    const flags = buildPlan(withDefault()).hosts.flatMap((h) =>
      h.containers.flatMap((c) => c.command.filter((a) => a.startsWith('--pod-infra-container-image='))),
    );
    assert.deepEqual([...new Set(flags)], [`--pod-infra-container-image=${REGISTRY}/zke/pause:3.10`]);
  });

  test('prefixes every container image of every built-in addon', () => {
    for (const addon of ['network', 'coredns', 'metrics-server', 'ingress'] as const) {
      const plain = podImages(addonObjects(spec(), addon));
      assert.ok(plain.length > 0, addon);
      assert.deepEqual(
        podImages(addonObjects(withDefault(), addon)),
        plain.map((image) => `${REGISTRY}/${image}`),
        addon,
      );
    }
  });

  test('the whole image list is the plain one, prefixed', () => {
    assert.deepEqual(
      clusterImages(withDefault()),
      clusterImages(spec()).map((image) => `${REGISTRY}/${image}`),
    );
  });

  test('leaves user addons as written, and out of the image list', () => {
    const mirrored = spec(`private_registries: [{url: ${REGISTRY}, is_default: true}]\n${USER_ADDON}`);
    assert.deepEqual(podImages(addonObjects(mirrored, 'user')), ['team/app:1']);
    assert.ok(!clusterImages(mirrored).some((image) => image.includes('team/app')));
  });

  test('leaves an image named in system_images as written (RKE only fills the empty ones)', () => {
    const mirrored = spec(
      `private_registries: [{url: ${REGISTRY}, is_default: true}]\nsystem_images: {etcd: other.example/etcd:v3.5}\n`,
    );
    const etcd = buildPlan(mirrored).hosts[0]!.containers.find((c) => c.name === 'etcd')!;
    assert.equal(etcd.image, 'other.example/etcd:v3.5');
    assert.equal(mirrored.systemImages.kubernetes, `${REGISTRY}/zke/hyperkube:v1.34.4`);
  });

  test('a registry without is_default prefixes nothing', () => {
    const images = clusterImages(withDefault(`[{url: ${REGISTRY}}]`));
    assert.deepEqual(images, clusterImages(spec()));
  });

  test('the URL goes before the image whatever the image starts with, as RKE does', () => {
    assert.equal(withDefault('[{url: zke, is_default: true}]').systemImages.etcd, 'zke/zke/etcd:v3.6.17');
  });
});

suite('the images of a Kubernetes version', () => {
  test('the reference cluster pulls every image the version table lists for the plan and the addons', () => {
    const result = referenceSpec('v1.33');
    assert.ok(result.ok);
    const expected = `
      zke/coredns:v1.14.7 zke/cri-dockerd:v0.3.19 zke/etcd:v3.5.36 zke/flannel-cni-plugin:v0.9.1 zke/flannel:v0.28.10
      zke/hyperkube:v1.33.13 zke/ingress:v1 zke/kube-router:v2.1.0 zke/metallb:v0.16.2 zke/metrics-server:v0.8.0
      zke/nginx-proxy:v1 zke/pause:3.10 zke/tools:v1`;
    assert.deepEqual(clusterImages(result.spec), expected.trim().split(/\s+/));
  });

  test('an unknown version is refused with the known ones', () => {
    const result = referenceSpec('v1.20');
    assert.ok(!result.ok);
    assert.match(
      result.errors[0]!.message,
      /unknown Kubernetes version "v1\.20" \(known: v1\.30\.14, v1\.31\.14, .*, v1\.37\.2\)/,
    );
  });
});

suite('the credentials a pull uses (RKE: GetImageRegistryConfig)', () => {
  const registries = parseClusterSpec(`${NODES}private_registries:
  - {url: reg.example:5000, user: a, password: pa}
  - {url: reg.example:5000/team, user: b, password: pb}
  - {url: open.example}
`);
  assert.ok(registries.ok);
  const user = (image: string) => credentialsFor(image, registries.spec.privateRegistries)?.user;

  test('the registry host, plus the path but its last two parts when it has more than two', () => {
    assert.equal(user('reg.example:5000/zke/etcd:v1'), 'a');
    assert.equal(user('reg.example:5000/etcd:v1'), 'a');
    assert.equal(user('reg.example:5000/team/zke/etcd:v1'), 'b');
    assert.equal(user('reg.example:5000/other/zke/etcd:v1'), undefined);
  });

  test('no credentials for an image of another registry, of none, or of a registry without user', () => {
    assert.equal(user('elsewhere.example/zke/etcd:v1'), undefined);
    assert.equal(user('zke/etcd:v1'), undefined);
    assert.equal(user('open.example/zke/etcd:v1'), undefined);
  });
});
