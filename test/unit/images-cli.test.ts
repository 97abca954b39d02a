// `zke images list`: what a user mirrors into a registry before `zke up` on machines without internet.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '../support/tempDir.ts';

const ZKE = join(import.meta.dirname, '../../bin/zke.mjs');
const dir = tempDir('zke-images-cli');
after(() => rmSync(dir, { recursive: true, force: true }));

/** `zke ARGS` as a user runs it: exit status, stdout, stderr. */
const zke = (args: string[]) => spawnSync(process.execPath, [ZKE, ...args], { cwd: dir, encoding: 'utf8' });

const CLUSTER = `
kubernetes_version: v1.33.13
nodes:
  - {address: 10.0.0.1, roles: [etcd, controlplane, worker]}
private_registries:
  - {url: mirror.example:5000, user: u, password: p, is_default: true}
system_images: {coredns: other.example/coredns:v1}
ingress: {provider: none}
addons: |
  apiVersion: v1
  kind: Pod
  metadata: {name: app, namespace: default}
  spec: {containers: [{name: app, image: team/app:1}]}
`;

describe('zke config --list-versions', () => {
  test('every version zke runs, the default marked, each with the images zke images list gives for it', () => {
    const run = zke(['config', '--list-versions', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const table = JSON.parse(run.stdout) as { version: string; default: boolean; images: string[] }[];
    assert.deepEqual(
      table.map((v) => v.version),
      ['v1.30.14', 'v1.31.14', 'v1.32.13', 'v1.33.13', 'v1.34.4', 'v1.35.4', 'v1.36.3', 'v1.37.2'],
    );
    assert.deepEqual(
      table.filter((v) => v.default).map((v) => v.version),
      ['v1.34.4'],
    );
    for (const v of table) {
      const listed = zke(['images', 'list', '--version', v.version]).stdout.trim().split('\n');
      assert.deepEqual(v.images, listed, v.version);
    }
    const text = zke(['config', '--list-versions']).stdout;
    assert.match(text, /^v1\.30\.14\n {2}\S+/);
    assert.match(text, /\nv1\.37\.2\n( {2}\S+\n)* {2}zke\/etcd:v3\.7\.4\n/);
    assert.match(text, /\nv1\.34\.4 \(default\)\n {2}zke\//);
  });
});

describe('zke images list', () => {
  test('--version: one image per line, every image of that version, sorted', () => {
    const run = zke(['images', 'list', '--version', 'v1.33']);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 13, run.stdout);
    assert.deepEqual(lines, [...lines].sort());
    for (const image of [
      'zke/hyperkube:v1.33.13',
      'zke/etcd:v3.5.36',
      'zke/pause:3.10',
      'zke/nginx-proxy:v1',
      'zke/metallb:v0.16.2',
      'zke/kube-router:v2.1.0',
      'zke/tools:v1',
    ]) {
      assert.ok(lines.includes(image), `${image} in\n${run.stdout}`);
    }
    assert.ok(!run.stdout.includes('v1.34'), run.stdout);
  });

  test('-c: the file’s version and images, the default registry before each, user addons left out', () => {
    const file = join(dir, 'cluster.yml');
    writeFileSync(file, CLUSTER);
    const run = zke(['images', 'list', '-c', file, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const images: string[] = JSON.parse(run.stdout);
    assert.ok(images.includes('mirror.example:5000/zke/hyperkube:v1.33.13'), run.stdout);
    assert.ok(images.includes('other.example/coredns:v1'), 'system_images are taken as written');
    assert.ok(!images.some((i) => i.includes('ingress')), 'ingress is off: its image is not pulled');
    assert.ok(!images.some((i) => i.includes('metallb')), 'no load balancer by default');
    assert.ok(!images.some((i) => i.includes('team/app')), 'user addons are the user’s own');
    const prefixed = images.filter((i) => i !== 'other.example/coredns:v1');
    // one node with every role: no nginx-proxy (controlplane nodes need none), no ingress, coredns as written;
    // an RKE-format file without network.plugin: canal's kube-router beside flannel; zke's default user is not
    // root: the tools image that does root's work
    assert.equal(prefixed.length, 9, run.stdout);
    assert.ok(images.includes('mirror.example:5000/zke/tools:v1'), run.stdout);
    assert.ok(images.includes('mirror.example:5000/zke/kube-router:v2.1.0'), run.stdout);
    for (const image of prefixed) assert.ok(image.startsWith('mirror.example:5000/zke/'), image);
  });

  test('-c: a cluster zke logs in to as root only pulls no tools image', () => {
    const file = join(dir, 'root.yml');
    writeFileSync(file, CLUSTER.replace('{address: 10.0.0.1,', '{address: 10.0.0.1, user: root,'));
    const run = zke(['images', 'list', '-c', file, '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!run.stdout.includes('tools'), run.stdout);
  });

  test('an unknown version fails naming the known ones; -c with --version and a missing action are usage errors', () => {
    const unknown = zke(['images', 'list', '--version', 'v1.20']);
    assert.equal(unknown.status, 1);
    assert.match(
      unknown.stderr,
      /unknown Kubernetes version "v1\.20" \(known: v1\.30\.14, v1\.31\.14, .*, v1\.37\.2\)/,
    );
    assert.equal(zke(['images', 'list', '-c', 'x.yml', '--version', 'v1.33']).status, 2);
    assert.equal(zke(['images']).status, 2);
  });
});
