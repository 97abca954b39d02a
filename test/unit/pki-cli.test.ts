// `zke pki generate`: the directory layout, modes, re-runs, and the cluster file read as `zke validate` reads it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { pkiInputOf } from '../../model/pki/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { tempDir } from '../support/tempDir.ts';
import { NOW } from './pki-fixture.ts';

const ZKE = join(import.meta.dirname, '../../bin/zke.mjs');

const RKE_YAML = `
cluster_name: demo
nodes:
  - address: 10.0.0.1
    internal_address: 192.168.0.1
    hostname_override: CP1
    role: [controlplane, etcd]
  - address: 10.0.0.2
    role: [worker]
  - address: 10.0.0.3
    role: [etcd]
authentication:
  sans: [api.example.com]
services:
  kube-api:
    service_cluster_ip_range: 10.96.0.0/12
  kubelet:
    cluster_domain: corp.local
    cluster_dns_server: 10.96.0.10
`;

const ZKE_YAML = `
cluster_name: demo
option:
  service_cidr: 10.96.0.0/12
  cluster_domain: corp.local
  cluster_dns_serviceip: 10.96.0.10
nodes:
  - name: cp1
    address: 10.0.0.1
    internal_address: 192.168.0.1
    roles: [controlplane, etcd]
  - address: 10.0.0.2
    roles: [worker]
  - address: 10.0.0.3
    roles: [etcd]
authentication:
  sans: [api.example.com]
`;

function zke(...args: string[]) {
  const result = spawnSync(process.execPath, [ZKE, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function clusterFile(text: string): string {
  const path = join(tempDir('zke-pki-cli'), 'cluster.yml');
  writeFileSync(path, text);
  return path;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('zke pki generate', () => {
  const config = clusterFile(RKE_YAML);
  const out = join(tempDir('zke-pki-cli'), 'ssl');

  test('writes the /etc/kubernetes/ssl layout, kube-admin and the admin kubeconfig, with modes', () => {
    const run = zke('pki', 'generate', '-c', config, '-o', out);
    assert.equal(run.code, 0, run.stderr);
    const files = readdirSync(out);
    const certs = files
      .filter((f) => f.endsWith('.pem') && !f.endsWith('-key.pem'))
      .map((f) => f.slice(0, -4));
    assert.deepEqual(certs.sort(), [
      'kube-admin',
      'kube-apiserver',
      'kube-apiserver-proxy-client',
      'kube-apiserver-requestheader-ca',
      'kube-ca',
      'kube-controller-manager',
      'kube-etcd-10-0-0-3',
      'kube-etcd-192-168-0-1',
      'kube-node',
      'kube-proxy',
      'kube-scheduler',
      'kube-service-account-token',
    ]);
    for (const cert of certs) assert.ok(files.includes(`${cert}-key.pem`), cert);
    assert.equal(files.filter((f) => f.startsWith('kubecfg-')).length, 6);
    assert.equal(mode(out), 0o700);
    for (const file of files) {
      assert.equal(
        mode(join(out, file)),
        file.endsWith('.pem') && !file.endsWith('-key.pem') ? 0o644 : 0o600,
        file,
      );
    }
    const admin = parse(readFileSync(join(out, 'kube_config_cluster.yml'), 'utf8'));
    assert.equal(admin.clusters[0].cluster.server, 'https://10.0.0.1:6443');
    assert.equal(admin['current-context'], 'demo');
    const user = admin.users[0].user;
    const decoded = (data: string) => Buffer.from(data, 'base64').toString();
    assert.equal(readFileSync(join(out, 'kube-admin.pem'), 'utf8'), decoded(user['client-certificate-data']));
    assert.equal(readFileSync(join(out, 'kube-admin-key.pem'), 'utf8'), decoded(user['client-key-data']));
  });

  test('a re-run on the same directory keeps every certificate and key', () => {
    const before = readFileSync(join(out, 'kube-apiserver-key.pem'), 'utf8');
    const admin = readFileSync(join(out, 'kube_config_cluster.yml'), 'utf8');
    const run = zke('pki', 'generate', '-c', config, '-o', out);
    assert.equal(run.code, 0, run.stderr);
    const actions = run.stdout.split('\n').filter((l) => /^(created|reissued|kept|removed) /.test(l));
    assert.equal(actions.length, 12);
    assert.ok(
      actions.every((l) => l.startsWith('kept ')),
      run.stdout,
    );
    assert.equal(readFileSync(join(out, 'kube-apiserver-key.pem'), 'utf8'), before);
    assert.equal(readFileSync(join(out, 'kube_config_cluster.yml'), 'utf8'), admin);
  });

  test('a directory with kube-admin.pem but no admin kubeconfig keeps kube-admin', () => {
    const adminKey = readFileSync(join(out, 'kube-admin-key.pem'), 'utf8');
    rmSync(join(out, 'kube_config_cluster.yml'));
    const run = zke('pki', 'generate', '-c', config, '-o', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^kept\s+kube-admin\s/m);
    assert.equal(readFileSync(join(out, 'kube-admin-key.pem'), 'utf8'), adminKey);
    const admin = parse(readFileSync(join(out, 'kube_config_cluster.yml'), 'utf8'));
    assert.equal(admin.users[0].user['client-key-data'], Buffer.from(adminKey).toString('base64'));
  });

  test('removing an etcd host deletes its files; --rotate --service re-issues one service', () => {
    const smaller = clusterFile(RKE_YAML.replace('  - address: 10.0.0.3\n    role: [etcd]\n', ''));
    const run = zke('pki', 'generate', '-c', smaller, '-o', out, '--rotate', '--service', 'kube-scheduler');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^removed\s+kube-etcd-10-0-0-3\s/m);
    assert.match(run.stdout, /^reissued\s+kube-scheduler\s+rotation requested$/m);
    assert.ok(!readdirSync(out).some((f) => f.includes('10-0-0-3')));
  });

  test('usage errors exit 2; a bad cluster.yml exits 1 with the path of the problem', () => {
    assert.equal(zke('pki', 'generate', '-c', config).code, 2);
    assert.equal(zke('pki', 'sign', '-o', out).code, 2);
    const bad = zke(
      'pki',
      'generate',
      '-c',
      clusterFile('nodes:\n  - address: 10.0.0.1\n    roles: [master]\n'),
      '-o',
      out,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /nodes\[0\]\.roles\[0\]: unknown role "master"/);
  });
});

/** The PKI input `zke pki generate` derives from a cluster file: the shared spec parser's, as `zke validate` reads it. */
function pkiInputFromYaml(text: string, now: string) {
  const parsed = parseClusterSpec(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return pkiInputOf(parsed.spec, now);
}

describe('the PKI input of a cluster file', () => {
  test('RKE and zke key names give the same input', () => {
    const rke = pkiInputFromYaml(RKE_YAML, NOW);
    assert.deepEqual(rke, pkiInputFromYaml(ZKE_YAML, NOW));
    assert.deepEqual(rke.nodes[0], {
      name: 'cp1',
      address: '10.0.0.1',
      internalAddress: '192.168.0.1',
      roles: ['controlplane', 'etcd'],
    });
    assert.equal(rke.nodes[1]?.address, '10.0.0.2');
    assert.deepEqual(rke.nodes[1]?.roles, ['worker']);
    assert.equal(rke.serviceCidr, '10.96.0.0/12');
    assert.equal(rke.clusterDomain, 'corp.local');
    assert.deepEqual(rke.extraSans, ['api.example.com']);
  });

  test('defaults: cluster "local", 10.43.0.0/16, cluster.local, no extra SANs', () => {
    const input = pkiInputFromYaml(
      'nodes:\n  - address: 10.0.0.1\n    roles: [controlplane, etcd, worker]\n',
      NOW,
    );
    assert.equal(input.clusterName, 'local');
    assert.equal(input.serviceCidr, '10.43.0.0/16');
    assert.equal(input.clusterDomain, 'cluster.local');
    assert.deepEqual(input.extraSans, []);
  });

  const invalid: [string, string, RegExp][] = [
    ['no nodes', 'cluster_name: x\n', /nodes/],
    ['node without address', 'nodes:\n  - roles: [worker, etcd, controlplane]\n', /nodes\[0\]\.address/],
    [
      'sans not a list',
      'nodes:\n  - address: 10.0.0.1\n    roles: [etcd, controlplane, worker]\nauthentication:\n  sans: x\n',
      /authentication\.sans/,
    ],
    [
      'numeric cidr',
      'option:\n  service_cidr: 10\nnodes:\n  - address: 10.0.0.1\n    roles: [etcd, controlplane, worker]\n',
      /option\.service_cidr/,
    ],
  ];
  for (const [what, text, error] of invalid) {
    test(`rejects ${what}, naming the field`, () =>
      assert.throws(() => pkiInputFromYaml(text, NOW), { message: error }));
    test(`zke pki generate refuses ${what} as zke validate does (exit 1, the field named)`, () => {
      const file = clusterFile(text);
      const generated = zke('pki', 'generate', '-c', file, '-o', join(tempDir('zke-pki-bad'), 'out'));
      const validated = zke('validate', '-c', file);
      assert.equal(generated.code, 1, generated.stderr);
      assert.match(generated.stderr, error);
      assert.notEqual(validated.code, 0);
      assert.match(validated.stderr, error);
    });
  }
});
