// The user's inline addons (RKE `addons`), and the fingerprint callers compare to see whether an addon changed.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  addonFingerprint,
  addonObjects,
  addonsToPrune,
  parseUserAddons,
  prunedObjects,
} from '../../model/addons/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { at, threeNodeSpec } from './addons-fixture.ts';

const INLINE = `---
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
# a comment-only document is skipped
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: team-a
  labels: {owner: alice}
data:
  mode: "on"
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ServiceAccount, metadata: {name: bot, namespace: team-a}}
`;

function withAddons(addons: string): ClusterSpec {
  return { ...threeNodeSpec(), addons };
}

suite('user addons', () => {
  test('every object of the stream, in order, lists flattened, each labelled user and keeping its labels', () => {
    const objects = addonObjects(withAddons(INLINE), 'user');
    assert.deepEqual(
      objects.map((o) => `${o.kind}/${o.metadata.name}`),
      ['Namespace/team-a', 'ConfigMap/settings', 'ServiceAccount/bot'],
    );
    for (const o of objects) assert.equal(o.metadata.labels?.['io.zke.addon'], 'user');
    assert.equal(objects[1]!.metadata.labels?.owner, 'alice');
    assert.equal(at(objects[1], 'data.mode'), 'on');
  });

  test('broken YAML and non-objects are reported per document; addonObjects refuses them', () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n- just\n- a list\n---\nkind: Secret\nmetadata: {name: s}\n---\nkey: [unclosed\n';
    const { objects, problems } = parseUserAddons(text);
    assert.deepEqual(
      objects.map((o) => o.metadata.name),
      ['ok'],
    );
    assert.equal(problems.length, 3);
    assert.match(problems[0]!, /^document 2: not a Kubernetes object/);
    assert.match(problems[1]!, /^document 3: apiVersion is missing/);
    assert.match(problems[2]!, /^document 4: /);
    assert.throws(() => addonObjects(withAddons(text), 'user'), /document 3: apiVersion is missing/);
  });

  test('an empty stream has no objects and no problems', () => {
    assert.deepEqual(parseUserAddons(''), { objects: [], problems: [] });
    assert.deepEqual(parseUserAddons('---\n# nothing\n'), { objects: [], problems: [] });
  });

  test('an object taken out of the addons is deleted, the others stay; all go when the addons are emptied', () => {
    const kept = INLINE.slice(0, INLINE.indexOf('---\napiVersion: v1\nkind: List'));
    const names = (before: string, after: string) =>
      prunedObjects(withAddons(before), withAddons(after), 'user').map((o) => `${o.kind}/${o.metadata.name}`);
    assert.deepEqual(names(INLINE, kept), ['ServiceAccount/bot']);
    assert.deepEqual(names(INLINE, ''), ['ServiceAccount/bot', 'ConfigMap/settings', 'Namespace/team-a']);
    assert.deepEqual(names(INLINE, INLINE), []);
    assert.deepEqual(names('', INLINE), []);
    assert.deepEqual(addonsToPrune(withAddons(INLINE), withAddons(kept)), ['user']);
  });

  test('an object that only gains namespace default, or another API version, is the same object: not deleted', () => {
    const plain = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n';
    const inDefault = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n';
    assert.deepEqual(prunedObjects(withAddons(plain), withAddons(inDefault), 'user'), []);
    assert.deepEqual(prunedObjects(withAddons(inDefault), withAddons(plain), 'user'), []);
    const v1 = 'apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n';
    const v2 = v1.replace('autoscaling/v1', 'autoscaling/v2');
    assert.deepEqual(prunedObjects(withAddons(v1), withAddons(v2), 'user'), []);
  });
});

suite('addonFingerprint', () => {
  const spec = threeNodeSpec();

  test('the same spec gives the same fingerprint, whatever the key order of the objects', () => {
    assert.equal(
      addonFingerprint(addonObjects(spec, 'coredns')),
      addonFingerprint(addonObjects(threeNodeSpec(), 'coredns')),
    );
    const reordered = addonObjects(spec, 'rbac').map(
      (o) => Object.fromEntries(Object.entries(o).reverse()) as typeof o,
    );
    assert.equal(addonFingerprint(reordered), addonFingerprint(addonObjects(spec, 'rbac')));
  });

  test('a changed value changes the fingerprint of the addons it affects only', () => {
    const changed: ClusterSpec = { ...spec, network: { ...spec.network, podCidr: '10.244.0.0/16' } };
    assert.notEqual(
      addonFingerprint(addonObjects(changed, 'network')),
      addonFingerprint(addonObjects(spec, 'network')),
    );
    assert.equal(
      addonFingerprint(addonObjects(changed, 'coredns')),
      addonFingerprint(addonObjects(spec, 'coredns')),
    );
    const image = { ...spec, systemImages: { ...spec.systemImages, ingress: 'zke/ingress:v2' } };
    assert.notEqual(
      addonFingerprint(addonObjects(image, 'ingress')),
      addonFingerprint(addonObjects(spec, 'ingress')),
    );
  });

  test('order and count of the objects matter', () => {
    const objects = addonObjects(spec, 'metrics-server');
    assert.notEqual(addonFingerprint([...objects].reverse()), addonFingerprint(objects));
    assert.notEqual(addonFingerprint(objects.slice(1)), addonFingerprint(objects));
    assert.match(addonFingerprint(objects), /^\d+-[0-9a-f]{16}$/);
  });

  test('each built-in addon has its own fingerprint', () => {
    const prints = (['rbac', 'network', 'coredns', 'metrics-server', 'ingress'] as const).map((a) =>
      addonFingerprint(addonObjects(spec, a)),
    );
    assert.equal(new Set(prints).size, prints.length);
  });
});
