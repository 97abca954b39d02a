import './api-home.ts';
// zke images load / POST /v1/clusters/{name}/images/load (the air-gap path) against the real API and the real
// loadImages workflow; the archive's image names are read by the real code, only the upload to the nodes'
// Docker is a stand-in (the lab test test/lab/lifecycle-remove.test.ts does it for real).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { archiveImageTags } from '../../activities/imageArchive.ts';
import type { Activities } from '../../activities/index.ts';
import { EXIT } from '../../cli/command.ts';
import { homePath } from '../../common/config.ts';
import { FileClusterStore } from '../../common/store.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { type CliRun, runZke } from '../support/zkeCli.ts';
import { apiSuite, terminateCluster } from './api-harness.ts';

/** What the nodes' Docker holds: "host archive". */
const held = new Set<string>();
const loadImageArchive: Activities['loadImageArchive'] = async ({ host, archive }) => {
  const images = await archiveImageTags(archive);
  const present = held.has(`${host} ${archive}`);
  held.add(`${host} ${archive}`);
  return { host, archive, images, loaded: !present };
};

const suite = apiSuite({ worker: true, activities: { ...fakeHosts, loadImageArchive } });
const dir = tempDir('zke-images-load');
const stamp = Date.now().toString(36);
const cluster = `airgap-${stamp}`;
const busyCluster = `airgap-busy-${stamp}`;
const firstCluster = `airgap-first-${stamp}`;

after(async () => {
  for (const name of [cluster, busyCluster, firstCluster]) {
    await terminateCluster(suite.t, name);
    new FileClusterStore().remove(name);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function zke(args: string[], cwd?: string): Promise<CliRun> {
  return runZke(args, { ZKE_API: suite.api.url, ZKE_TOKEN: suite.api.token }, cwd);
}

function clusterFile(name: string, hosts: string[]): string {
  const file = path.join(dir, `${name}.yml`);
  const nodes = hosts.map(
    (h, i) => `  - address: 10.0.0.${i + 1}\n    name: ${h}\n    roles: [etcd, controlplane, worker]\n`,
  );
  fs.writeFileSync(file, `cluster_name: ${name}\nnodes:\n${nodes.join('')}`);
  return file;
}

/** A `docker save`-shaped archive (its manifest only) in the image directory. */
function archiveInImageDir(name: string, tag: string): string {
  const content = path.join(dir, `content-${name}`);
  fs.mkdirSync(content, { recursive: true });
  fs.writeFileSync(
    path.join(content, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: [tag], Layers: [] }]),
  );
  const images = homePath('images');
  fs.mkdirSync(images, { recursive: true });
  const archive = path.join(images, name);
  execFileSync('tar', ['-cf', archive, '-C', content, 'manifest.json']);
  return archive;
}

test(
  'zke images load streams an archive to every node with progress; a second load finds it present',
  { timeout: 90_000 },
  async () => {
    const file = clusterFile(cluster, ['n1', 'n2']);
    const up = await zke(['up', '-c', file]);
    assert.equal(up.code, EXIT.ok, up.stdout + up.stderr);
    const archive = archiveInImageDir('airgap.tar', 'zke/airgap:v1');

    const first = await zke(['images', 'load', '-c', file, archive]);
    assert.equal(first.code, EXIT.ok, first.stdout + first.stderr);
    assert.match(
      first.stdout,
      new RegExp(`started load-images of cluster ${cluster} \\(revision 1\\): operation ${cluster}\\.`),
    );
    for (const host of ['n1', 'n2']) {
      assert.match(
        first.stdout,
        // logged during the one step: none done yet
        new RegExp(`^\\[0/1\\] ${host}: ${archive}: loaded \\(zke/airgap:v1\\)$`, 'm'),
      );
      assert.match(first.stdout, new RegExp(`host ${host}: done \\(load images\\)`));
    }
    assert.match(first.stdout, new RegExp(`load-images of cluster ${cluster} \\(revision 1\\) succeeded`));

    // a relative path is taken from the current directory
    const again = await zke(['images', 'load', '-n', cluster, 'airgap.tar'], path.dirname(archive));
    assert.equal(again.code, EXIT.ok, again.stdout + again.stderr);
    for (const host of ['n1', 'n2'])
      assert.match(again.stdout, new RegExp(`${host}: ${archive}: present already \\(zke/airgap:v1\\)`));
  },
);

test(
  'archives that are missing, outside the image directories or relative are 422 naming each and what to do; nothing starts',
  { timeout: 30_000 },
  async () => {
    const images = homePath('images');
    const before = await suite.api.request('GET', `/v1/clusters/${cluster}/operations`);
    const reply = await suite.api.request('POST', `/v1/clusters/${cluster}/images/load`, {
      body: { archives: [path.join(images, 'missing.tar'), '/etc/passwd', 'relative.tar'] },
    });
    assert.equal(reply.status, 422, reply.text);
    const errors = reply.json.errors as { path: string; message: string }[];
    assert.deepEqual(
      errors.map((e) => e.path),
      ['archives[0]', 'archives[1]', 'archives[2]'],
    );
    const todo = `copy the archive \\(docker save output\\) into ${images} on the machine zke's worker runs on`;
    assert.match(errors[0]!.message, new RegExp(`missing.tar": no such file on the zke server; ${todo}$`));
    assert.match(
      errors[1]!.message,
      /^"\/etc\/passwd" is outside them: image archives are read only from the image directories \(.*; ZKE_IMAGE_DIRS changes them\)/,
    );
    assert.match(errors[2]!.message, /^"relative.tar" is not an absolute path/);
    const after = await suite.api.request('GET', `/v1/clusters/${cluster}/operations`);
    assert.equal(after.json.operations.length, before.json.operations.length, 'no operation started');

    const cli = await zke(['images', 'load', '-n', cluster, path.join(images, 'gone.tar')]);
    assert.equal(cli.code, EXIT.failed);
    assert.match(
      cli.stderr,
      /archives\[0\]: "[^"]*gone.tar": no such file on the zke server; copy the archive/,
    );

    const none = await zke(['images', 'load', '-n', cluster]);
    assert.equal(none.code, EXIT.usage);
    assert.match(none.stderr, /name at least one ARCHIVE/);
    const empty = await suite.api.request('POST', `/v1/clusters/${cluster}/images/load`, {
      body: { archives: [] },
    });
    assert.equal(empty.status, 422);
  },
);

test('while another operation runs the load is 409 naming it (CLI exit 3); unknown cluster 404; read scope 403', async () => {
  const archive = archiveInImageDir('busy.tar', 'zke/busy:v1');
  const started = await suite.api.request('POST', '/v1/clusters', {
    body: fs.readFileSync(clusterFile(busyCluster, ['slow']), 'utf8'),
  });
  assert.equal(started.status, 202, started.text);
  const busy = await suite.api.request('POST', `/v1/clusters/${busyCluster}/images/load`, {
    body: { archives: [archive] },
  });
  assert.equal(busy.status, 409, busy.text);
  assert.equal(busy.json.operationId, started.json.operationId);
  const cli = await zke(['images', 'load', '-n', busyCluster, '--detach', archive]);
  assert.equal(cli.code, EXIT.busy, cli.stderr);
  assert.match(cli.stderr, /busy: provision is running/);
  await terminateCluster(suite.t, busyCluster);

  const unknown = await suite.api.request('POST', `/v1/clusters/no-such-${stamp}/images/load`, {
    body: { archives: [archive] },
  });
  assert.equal(unknown.status, 404);
  const reader = suite.api.tokens.create(`reader-${stamp}`, 'read');
  const denied = await suite.api.request('POST', `/v1/clusters/${cluster}/images/load`, {
    body: { archives: [archive] },
    token: reader,
  });
  assert.equal(denied.status, 403);
  assert.equal(denied.json.requiredScope, 'operate');
});

test('the first load comes before the first up: the cluster file becomes revision 1, only images load; up then provisions it', async () => {
  const file = clusterFile(firstCluster, ['a1']);
  const archive = archiveInImageDir('first.tar', 'zke/first:v1');
  const load = await zke(['images', 'load', '-c', file, archive]);
  assert.equal(load.code, EXIT.ok, load.stdout + load.stderr);
  assert.match(load.stdout, new RegExp(`a1: ${archive}: loaded \\(zke/first:v1\\)`));
  const detail = (await suite.api.request('GET', `/v1/clusters/${firstCluster}`)).json;
  assert.equal(detail.latestRevision, 1, 'the file is stored');
  assert.equal(detail.revision, undefined, 'nothing provisioned');
  const ops = (await suite.api.request('GET', `/v1/clusters/${firstCluster}/operations`)).json.operations;
  assert.deepEqual(
    ops.map((o: { operation: string }) => o.operation),
    ['load-images'],
  );
  const up = await zke(['up', '-c', file]);
  assert.equal(up.code, EXIT.ok, up.stdout + up.stderr);
  assert.equal((await suite.api.request('GET', `/v1/clusters/${firstCluster}`)).json.revision, 1);

  const other = await suite.api.request('POST', `/v1/clusters/${firstCluster}/images/load`, {
    body: {
      archives: [archive],
      spec: {
        cluster_name: 'another',
        nodes: [{ address: '10.0.0.1', name: 'a1', roles: ['etcd', 'controlplane', 'worker'] }],
      },
    },
  });
  assert.equal(other.status, 422, other.text);
  assert.match(other.text, /spec\.cluster_name.*is \\"another\\" but the URL names cluster/);
});
