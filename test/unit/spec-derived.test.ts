// Where zke derives one key from another, zke's `option.*` value wins and the other key, when it differs, is
// named in a warning (zke's own files often carry both); in RKE's format the same keys still conflict.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { parseYaml } from '../../model/spec/yaml.ts';

function starterZke(): Record<string, any> {
  const yaml = parseYaml(fs.readFileSync(new URL('../../examples/starter-zke.yml', import.meta.url), 'utf8'));
  assert.ok(yaml.ok);
  return yaml.value as Record<string, any>;
}

test('option.up_stream_name_servers wins over network.dns.upstreamnameservers, with a warning', () => {
  const doc = starterZke();
  doc.option.up_stream_name_servers = ['10.0.0.53'];
  doc.network = { ...doc.network, dns: { upstreamnameservers: ['10.0.0.54'] } };
  const result = parseClusterSpec(doc);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  assert.deepEqual(result.spec.dns.upstreamNameservers, ['10.0.0.53']);
  const warning = result.warnings.find((w) => w.path === 'network.dns.upstreamnameservers');
  assert.equal(
    warning?.message,
    'ignored: zke derives it from option.up_stream_name_servers (["10.0.0.54"] vs ["10.0.0.53"])',
  );
});

test("option.cluster_cidr and option.cluster_domain win over core's copies, with warnings", () => {
  const doc = starterZke();
  doc.option.cluster_cidr = '10.50.0.0/16';
  doc.option.cluster_domain = 'corp.local';
  doc.core = {
    'kube-controller': { cluster_cidr: '10.42.0.0/16' },
    kubelet: { cluster_domain: 'cluster.local' },
  };
  const result = parseClusterSpec(doc);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  assert.equal(result.spec.network.podCidr, '10.50.0.0/16');
  assert.equal(result.spec.network.clusterDomain, 'corp.local');
  const paths = result.warnings.map((w) => w.path);
  assert.ok(paths.includes('core.kube-controller.cluster_cidr'), paths.join(', '));
  assert.ok(paths.includes('core.kubelet.cluster_domain'), paths.join(', '));
});

test("RKE's two service ranges still conflict: neither is derived from the other", () => {
  const doc = starterZke();
  delete doc.option.ssh_user;
  doc.services = {
    'kube-api': { service_cluster_ip_range: '10.43.0.0/16' },
    'kube-controller': { service_cluster_ip_range: '10.44.0.0/16' },
  };
  const result = parseClusterSpec(doc);
  assert.equal(result.ok, false);
  assert.ok(result.errors.some((e) => e.path === 'services.kube-controller.service_cluster_ip_range'));
});
