// "Kubernetes available" for the tests is one predicate (k8sSkipReason in test/support/cluster.ts): the lab,
// the hyperkube, etcd and MetalLB images in the lab registry and the kubectl built with them. Every test that provisions
// Kubernetes, and `npm run test:k8s`, use it; .ci/run turns strict mode on where the Kubernetes cache exists.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/tempDir.ts';

const VERSION = 'v1.33.13';
const NEXT = 'v1.34.4';

/** k8sSkipReason(...versions) and the lab's own reason, in a process whose ZKE_LAB_CACHE is cache. */
function reasons(cache: string, versions: string[] = []) {
  const script = `const { k8sSkipReason } = await import('./test/support/cluster.ts');
const { LAB_SKIP_REASON } = await import('./test/support/lab.ts');
process.stdout.write(JSON.stringify({ k8s: k8sSkipReason(...${JSON.stringify(versions)}) ?? null, lab: LAB_SKIP_REASON ?? null }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ZKE_LAB_CACHE: cache },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { k8s: string | null; lab: string | null };
}

const pushTag = (cache: string, version: string, repo = 'zke/hyperkube') =>
  fs.mkdirSync(
    path.join(cache, `registry/docker/registry/v2/repositories/${repo}/_manifests/tags/${version}`),
    {
      recursive: true,
    },
  );
function buildKubectl(cache: string) {
  const bin = path.join(cache, `build/bin/kubernetes-${VERSION}`);
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'kubectl'), '');
}

/** The reason expected when the lab itself can run here, else the lab's own reason. */
function expectReason(r: { k8s: string | null; lab: string | null }, reason: RegExp) {
  if (r.lab) assert.equal(r.k8s, r.lab);
  else assert.match(r.k8s ?? '', reason);
}

test('Kubernetes is available only with the images of every version asked for and the built kubectl', () => {
  const cache = tempDir('zke-k8s-cache');
  expectReason(
    reasons(cache),
    /^the lab registry has no zke\/hyperkube:v1\.33\.13 \(build it: bash lab\/k8s\/build\.sh\)$/,
  );
  pushTag(cache, VERSION);
  expectReason(reasons(cache), /^the lab registry has no zke\/etcd:v3\.5\.36 \(build it/);
  pushTag(cache, 'v3.5.36', 'zke/etcd');
  expectReason(reasons(cache), /^the lab registry has no zke\/metallb:v0\.16\.2 \(build it/);
  pushTag(cache, 'v0.16.2', 'zke/metallb');
  expectReason(reasons(cache), /^the lab cache has no .*\/build\/bin\/kubernetes-v1\.33\.13\/kubectl /);
  buildKubectl(cache);
  const r = reasons(cache, [NEXT]);
  expectReason(r, /^the lab registry has no zke\/hyperkube:v1\.34\.4 /);
  pushTag(cache, NEXT);
  expectReason(reasons(cache, [NEXT]), /^the lab registry has no zke\/etcd:v3\.6\.17 /);
  pushTag(cache, 'v3.6.17', 'zke/etcd');
  assert.equal(reasons(cache, [NEXT]).k8s, r.lab, 'everything there: only the lab itself can be missing');
});

test('no test decides on its own whether Kubernetes is there (only test/support/cluster.ts reads the cache)', () => {
  const files = fs
    .readdirSync('test', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'));
  const own = files.filter((f) =>
    /ZKE_LAB_CACHE|zke-lab['/]|build\/bin|_manifests/.test(fs.readFileSync(path.join('test', f), 'utf8')),
  );
  assert.deepEqual(own, ['support/cluster.ts', 'unit/k8s-available.test.ts']);
});

/** .ci/run with an npm that reports ZKE_TEST_STRICT instead of testing. */
function ciStrict(cache: string): string {
  const stubs = tempDir('zke-ci-stub');
  fs.writeFileSync(path.join(stubs, 'npm'), '#!/bin/sh\necho "strict=$ZKE_TEST_STRICT"\n', {
    mode: 0o755,
  });
  const { ZKE_TEST_STRICT: _, ...env } = process.env;
  const run = spawnSync('bash', ['.ci/run'], {
    env: { ...env, ZKE_LAB_CACHE: cache, PATH: `${stubs}:${process.env.PATH}` },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

test('.ci/run sets ZKE_TEST_STRICT=1 exactly when the Kubernetes cache exists', () => {
  const cache = tempDir('zke-ci-cache');
  assert.equal(ciStrict(cache), 'strict=');
  fs.mkdirSync(path.join(cache, 'build/bin'), { recursive: true });
  assert.equal(ciStrict(cache), 'strict=1');
});
