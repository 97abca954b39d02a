import './api-home.ts';
// The zke CLI against the real API and the real provisionCluster workflow, with the activities that touch
// hosts replaced by instant ones (host "slow" blocks until cancelled): `zke up` end to end, exit codes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { EXIT } from '../../cli/command.ts';
import { FileClusterStore } from '../../common/store.ts';
import { PROVISION_STEPS } from '../../model/plan/index.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { type CliRun, runZke } from '../support/zkeCli.ts';
import { apiSuite, terminateCluster } from './api-harness.ts';

const suite = apiSuite({ worker: true, activities: fakeHosts });
const dir = tempDir('zke-cli-it');
const stamp = Date.now().toString(36);
const clusters = [`cli-${stamp}`, `slow-${stamp}`];

after(async () => {
  for (const name of clusters) {
    await terminateCluster(suite.t, name);
    new FileClusterStore().remove(name);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function clusterFile(file: string, name: string, host = 'n1'): string {
  const full = path.join(dir, file);
  fs.writeFileSync(
    full,
    `cluster_name: ${name}\nnodes:\n  - address: 10.0.0.1\n    name: ${host}\n    roles: [etcd, controlplane, worker]\n`,
  );
  return full;
}

function zke(args: string[], token = suite.api.token): Promise<CliRun> {
  return runZke(args, { ZKE_API: suite.api.url, ZKE_TOKEN: token });
}

test(
  'zke up provisions, shows progress lines and writes kube_config_<file> (0600) like RKE',
  { timeout: 60_000 },
  async () => {
    const file = clusterFile('cluster.yml', clusters[0]);
    const up = await zke(['up', '-c', file]);
    assert.equal(up.code, EXIT.ok, up.stdout + up.stderr);
    assert.match(up.stdout, new RegExp(`started provision of cluster ${clusters[0]} \\(revision 1\\)`));
    assert.match(up.stdout, new RegExp(`\\[\\d+/${PROVISION_STEPS.length}\\] check hosts: started`));
    assert.match(up.stdout, /host n1: done/);
    assert.match(up.stdout, /provision of cluster .* succeeded/);
    const kubeconfig = path.join(dir, 'kube_config_cluster.yml');
    assert.equal(fs.statSync(kubeconfig).mode & 0o777, 0o600);
    assert.match(
      fs.readFileSync(kubeconfig, 'utf8'),
      /kind: Config[\s\S]*server: https:\/\/10\.0\.0\.1:6443/,
    );
    assert.ok(
      suite.api.audit.read().some((e) => e.cluster === clusters[0] && e.action === 'kubeconfig.read'),
      'the download is audited',
    );

    const status = await zke(['status', '--json', '-c', file]);
    assert.equal(status.code, EXIT.ok);
    const detail = JSON.parse(status.stdout);
    assert.deepEqual(
      [detail.revision, detail.latestRevision, detail.lastOperation.kind],
      [1, 1, 'provision'],
    );
    assert.ok(Date.parse(detail.certificatesExpireAt) > Date.now(), 'certificate expiry is reported');

    const written = path.join(dir, 'admin.yml');
    assert.equal((await zke(['kubeconfig', '-c', file, '-o', written])).code, EXIT.ok);
    assert.equal(fs.readFileSync(written, 'utf8'), fs.readFileSync(kubeconfig, 'utf8'));
  },
);

test(
  'exit codes against the API: 1 with paths for an invalid spec, 1 for a bad token, 3 when busy',
  { timeout: 60_000 },
  async () => {
    const bad = path.join(dir, 'bad.yml');
    fs.writeFileSync(bad, 'cluster_name: bad\nnodes:\n  - address: "no such address!"\n    roles: [etcd]\n');
    const invalid = await zke(['up', '-c', bad]);
    assert.equal(invalid.code, EXIT.failed);
    assert.match(invalid.stderr, /^ {2}nodes\[0\]\.address: /m);

    const denied = await zke(['status'], 'zke_not_a_token');
    assert.equal(denied.code, EXIT.failed);
    assert.match(denied.stderr, /Unauthorized[\s\S]*ZKE_TOKEN/);

    const slow = clusterFile('slow.yml', clusters[1], 'slow');
    const detached = await zke(['up', '-c', slow, '--detach', '--json']);
    assert.equal(detached.code, EXIT.ok, detached.stderr);
    const { operationId } = JSON.parse(detached.stdout);
    const busy = await zke(['remove', '--force', '-c', slow]);
    assert.equal(busy.code, EXIT.busy);
    assert.match(busy.stderr, new RegExp(`busy: provision is running \\(operation id ${operationId}\\)`));
    assert.equal((await zke(['operations', 'cancel', operationId])).code, EXIT.ok);
    const followed = await zke(['operations', 'follow', operationId]);
    assert.equal(followed.code, EXIT.failed, 'a cancelled operation is not a success');
    assert.match(followed.stderr, /provision of cluster .* (cancelled|failed)/);
  },
);
