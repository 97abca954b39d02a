// An empty value means "the default", as RKE and zke read cluster.yml: `rke config` writes every key it asks
// about, most as "", [] or {}. What stays required (a node's address, its roles) is still an error when empty.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { parseYaml } from '../../model/spec/yaml.ts';
import { DEFAULT_KUBERNETES_VERSION } from '../../model/versions.ts';

const blankRke = fs.readFileSync(new URL('../fixtures/real/rke-config-blank.yml', import.meta.url), 'utf8');

function blankDoc(): Record<string, any> {
  const yaml = parseYaml(blankRke);
  assert.ok(yaml.ok);
  return yaml.value as Record<string, any>;
}

function parsed(doc: unknown) {
  const result = parseClusterSpec(doc);
  if (!result.ok) assert.fail(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return result;
}

test("`rke config` output with blank answers validates and gets RKE's defaults", () => {
  const { spec, warnings } = parsed(blankRke);
  assert.equal(spec.clusterName, 'local');
  assert.equal(spec.kubernetesVersion, DEFAULT_KUBERNETES_VERSION);
  assert.equal(spec.prefixPath, '/');
  assert.equal(spec.bastionHost, undefined, 'a bastion_host with every answer blank is no bastion');
  assert.equal(spec.nodes[0].internalAddress, '192.168.0.11', 'internal_address "" is the address');
  assert.equal(spec.network.mtu, undefined, 'mtu: 0 is the plugin default');
  assert.equal(spec.ingress.provider, 'nginx');
  // what is warned about: addon_job_timeout (no effect by design) only;
  // no blank key is among them, and no `false` of a setting zke refuses only when true
  assert.deepEqual(warnings.map((w) => w.path).sort(), ['addon_job_timeout']);
});

test('an empty system image is the default image, as every other empty setting', () => {
  const withImages = parsed(blankRke).spec.systemImages;
  const doc = blankDoc();
  delete doc.system_images;
  assert.deepEqual(withImages, parsed(doc).spec.systemImages);
});

test('empty data values stay values: a label "" is a label', () => {
  const { spec } = parsed(blankRke);
  assert.deepEqual(spec.nodes[1].labels, { 'node-role.example.com/storage': '' });
});

test('required values are still required when empty, in the same words as when missing', () => {
  const doc = blankDoc();
  doc.nodes[0].address = '';
  doc.nodes[1].role = [];
  const result = parseClusterSpec(doc);
  assert.equal(result.ok, false);
  const errors = result.errors.map((e) => `${e.path}: ${e.message}`);
  assert.ok(errors.includes('nodes[0].address: address is required'), errors.join('\n'));
  assert.ok(
    errors.some((e) => e.startsWith('nodes[1].role: at least one role is required')),
    errors.join('\n'),
  );
});

test('a bastion_host with settings but no address is ignored with a warning, as RKE ignores it', () => {
  const doc = blankDoc();
  doc.bastion_host = { user: 'jump', port: '2222' };
  const { spec, warnings } = parsed(doc);
  assert.equal(spec.bastionHost, undefined);
  assert.ok(warnings.some((w) => w.path === 'bastion_host' && /no address/.test(w.message)));
});
