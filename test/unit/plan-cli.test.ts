// `zke plan` against a state file: what a user sees before `up`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildPlan } from '../../model/plan/index.ts';
import { tempDir } from '../support/tempDir.ts';
import { host, MIN_3, specFrom } from './plan-fixture.ts';

const ZKE = join(import.meta.dirname, '../../bin/zke.mjs');
const dir = tempDir('zke-plan-cli');
after(() => rmSync(dir, { recursive: true, force: true }));

function zke(args: string[]) {
  const run = spawnSync(process.execPath, [ZKE, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A state file in which the hosts run what MIN_3 plans, plus one host that left the spec. */
function writeState(): string {
  const plan = buildPlan(specFrom(MIN_3));
  const asRunning = (name: string) => ({
    containers: host(plan, name).containers.map(({ healthcheck: _h, ...c }) => c),
    files: [],
  });
  const state = {
    hosts: { a: asRunning('a'), '10.9.0.2': asRunning('b'), c: asRunning('c'), gone: asRunning('c') },
  };
  const file = join(dir, 'state.json');
  writeFileSync(file, JSON.stringify(state));
  return file;
}

describe('zke plan', () => {
  const config = join(dir, 'cluster.yml');
  writeFileSync(config, `${MIN_3}core: {kubelet: {extra_args: {max-pods: "150"}}}\n`);

  test('without state: every container is to be created', () => {
    const run = zke(['plan', '-c', config]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Plan for cluster "t3", Kubernetes v1\.34\.4/);
    assert.match(run.stdout, /a \(10\.9\.0\.1\) \[etcd, controlplane\]\n {2}\+ etcd +create/);
    assert.match(run.stdout, /Containers: 20 to create, 0 to replace, 0 to remove, 0 unchanged/);
  });

  test('with state: the changed flag replaces kubelet everywhere, the departed host is emptied', () => {
    const run = zke(['plan', '-c', config, '--state', writeState()]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /~ kubelet +replace\n +command: \+"--max-pods=150"/);
    assert.match(run.stdout, /gone \(removed from the spec\)\n( {2}- .*\n){6}/);
    assert.match(run.stdout, /Containers: 0 to create, 3 to replace, 6 to remove, 17 unchanged/);
    assert.match(
      run.stdout,
      /\n {2}1\. etcd snapshot: in parallel, at most 50 at once on a, b, c, gone\n/,
      'a provisioned cluster is upgraded, its snapshot taken on the etcd hosts it has',
    );
    assert.match(run.stdout, /\n {2}9\. removed hosts: in parallel, at most 50 at once on gone\n/);
  });

  test('--json gives the plan and the diffs; hosts keyed by address are matched to their node', () => {
    const run = zke(['plan', '-c', config, '--state', writeState(), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(out.plan.removedHosts, ['gone']);
    const b = out.diffs.find((d: { host: string }) => d.host === 'b');
    assert.deepEqual(
      b.containers
        .filter((c: { action: string }) => c.action !== 'unchanged')
        .map((c: { name: string }) => c.name),
      ['kubelet'],
    );
  });

  test('a broken state file or spec is exit 1', () => {
    const bad = join(dir, 'bad-state.json');
    writeFileSync(bad, JSON.stringify({ hosts: { a: { containers: [{ name: 'etcd' }] } } }));
    const run = zke(['plan', '-c', config, '--state', bad]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read the state file: .*hosts\.a\.containers\.0\.image/);
    assert.equal(zke(['plan', '-c', join(dir, 'missing.yml')]).code, 1);
  });
});

test('zke --help says plan is offline, as plan --help is (the API plan is GET/POST /v1/clusters/{name}/plan)', () => {
  const line = zke(['--help'])
    .stdout.split('\n')
    .find((l) => /^ +plan /.test(l));
  assert.match(line ?? '', /offline/);
  assert.doesNotMatch(line ?? '', /API/);
  const help = zke(['plan', '--help']);
  assert.equal(help.code, 0);
  assert.doesNotMatch(help.stdout, /ZKE_API|--api/);
});
