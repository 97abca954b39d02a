// `zke validate` and `zke config`, run as a user runs them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { tempDir } from '../support/tempDir.ts';

const ZKE = join(import.meta.dirname, '../../bin/zke.mjs');
const EXAMPLES = join(import.meta.dirname, '../../examples');
const dir = tempDir('zke-spec-cli');
after(() => rmSync(dir, { recursive: true, force: true }));

export function zke(args: string[], cwd = dir) {
  const run = spawnSync(process.execPath, [ZKE, ...args], { cwd, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('zke validate', () => {
  test('a valid file: exit 0 and a summary', () => {
    const run = zke(['validate', '-c', join(EXAMPLES, 'rke-cluster.yml')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /valid/);
    assert.match(run.stdout, /cluster "demo" \(rke format\), Kubernetes v1\.34\.4/);
    assert.match(run.stdout, /3 nodes: 1 etcd, 1 controlplane, 2 worker, 1 edge/);
  });

  test('an invalid file: exit 1 and every error with its path', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      `nodes:
  - {address: 10.0.0.1, roles: [etcd, controlplane, worker]}
  - {address: 10.0.0.300, roles: [worker]}
  - {address: 10.0.0.3, roles: [storage]}
network: {plugin: calico}
`,
    );
    const run = zke(['validate', '-c', file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /3 errors/);
    assert.match(run.stderr, /nodes\[1\]\.address: "10\.0\.0\.300" is not an IP address or hostname/);
    assert.match(run.stderr, /nodes\[2\]\.roles\[0\]: unknown role "storage"/);
    assert.match(
      run.stderr,
      /network\.plugin: unknown network plugin "calico" \(known: flannel, canal, none\)/,
    );
  });

  test('default -c is ./cluster.yml; a missing file is exit 1; a bad option is exit 2', () => {
    const missing = zke(['validate']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cluster\.yml: cannot read/);
    assert.equal(zke(['validate', '--nope']).code, 2);
  });
});

describe('zke config', () => {
  test('writes a commented starter that validates, and refuses to overwrite without --force', () => {
    const first = zke(['config']);
    assert.equal(first.code, 0, first.stderr);
    const file = join(dir, 'cluster.yml');
    assert.match(readFileSync(file, 'utf8'), /^# zke cluster\.yml/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(zke(['validate']).code, 0);
    const again = zke(['config']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists \(use --force to overwrite\)/);
    assert.equal(zke(['config', '--force']).code, 0);
  });

  test('--rke writes the RKE format; "-o -" prints it', () => {
    const out = join(dir, 'rke.yml');
    assert.equal(zke(['config', '--rke', '-o', out]).code, 0);
    const run = zke(['validate', '-c', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\(rke format\)/);
    const printed = zke(['config', '--rke', '-o', '-']);
    assert.equal(printed.stdout, readFileSync(out, 'utf8'));
  });
});
