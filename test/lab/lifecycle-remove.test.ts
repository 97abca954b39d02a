// Air-gap images and removal. An image archive on the worker machine, named to the API's images/load, is
// loaded into every node's Docker and skipped where it is present already. RemoveCluster on hosts that also run an unrelated container: that
// container keeps running and is the only one left (zke's and its pods' containers are gone), and so are
// zke's directories.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startApi, type TestApi } from '../integration/api-harness.ts';
import { allContainers, submitRevision } from '../support/cluster.ts';
import { type LabHost, labDown, labExec, labImages, labUp } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestWorker, type TestTemporal, testTemporal } from '../support/temporal.ts';
import { labSpec, provision, run, SKIP } from './lifecycle-harness.ts';

let t: TestTemporal;
let worker: { taskQueue: string; stop(): Promise<void> };
let hosts: LabHost[];
let api: TestApi;
const dir = tempDir('zke-airgap');
process.env.ZKE_IMAGE_DIRS = dir; // where the API lets archives be loaded from

before(async () => {
  if (SKIP) return;
  t = await testTemporal();
  hosts = await labUp(2);
  await labImages();
  worker = await startTestWorker(t);
  api = await startApi(t, worker.taskQueue);
});
after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (SKIP) return;
  await api.close();
  await worker.stop();
  await labDown();
  await t.close();
});

const ops = () => ({ t, taskQueue: worker.taskQueue });

/** POST …/images/load, then the operation once it ended (its progress holds the events). */
async function loadThroughApi(cluster: string, archive: string) {
  const accepted = await api.request('POST', `/v1/clusters/${cluster}/images/load`, {
    body: { archives: [archive] },
  });
  assert.equal(accepted.status, 202, accepted.text);
  for (;;) {
    const op = await api.request('GET', `/v1/operations/${accepted.json.operationId}`);
    if (op.json.state !== 'running')
      return op.json as { state: string; error?: string; progress: { events: string[] } };
    await new Promise((r) => setTimeout(r, 500));
  }
}
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A one-layer image in `docker save` format, built without Docker. */
function imageArchive(ref: string): string {
  const root = path.join(dir, 'layer-root');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'hello.txt'), `air-gapped ${ref}\n`);
  const layer = path.join(dir, 'layer.tar');
  execFileSync('tar', ['-cf', layer, '-C', root, 'hello.txt']);
  const layerSum = sha256(fs.readFileSync(layer));
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${layerSum}`] },
    }),
  );
  const image = path.join(dir, 'image');
  fs.mkdirSync(image, { recursive: true });
  const configName = `${sha256(config)}.json`;
  fs.writeFileSync(path.join(image, configName), config);
  fs.copyFileSync(layer, path.join(image, 'layer.tar'));
  fs.writeFileSync(
    path.join(image, 'manifest.json'),
    JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: ['layer.tar'] }]),
  );
  const archive = path.join(dir, 'airgap.tar');
  execFileSync('tar', ['-cf', archive, '-C', image, configName, 'layer.tar', 'manifest.json']);
  return archive;
}

test(
  'images/load puts an archive into every node and skips nodes that have it',
  { skip: SKIP, timeout: 300_000 },
  async () => {
    const [a, b] = hosts.map((h) => h.name);
    const spec = labSpec('gone', hosts, { [a]: ['etcd', 'controlplane', 'worker'], [b]: ['worker'] });
    submitRevision(spec);
    const archive = imageArchive('zke/airgap:v1');
    const first = await loadThroughApi('gone', archive);
    assert.equal(first.state, 'succeeded', first.error);
    for (const host of [a, b]) {
      const inspect = await labExec(host, ['docker', 'image', 'inspect', '-f', '{{.Id}}', 'zke/airgap:v1']);
      assert.equal(inspect.code, 0, `${host} has the image: ${inspect.stderr}`);
      assert.ok(first.progress.events.some((e) => e.startsWith(`${host}: ${archive}: loaded`)));
    }
    const again = await loadThroughApi('gone', archive);
    for (const host of [a, b])
      assert.ok(
        again.progress.events.some((e) => e.startsWith(`${host}: ${archive}: present already`)),
        `${host} skipped`,
      );
  },
);

test(
  'remove keeps an unrelated container running and takes zke away',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const [a, b] = hosts.map((h) => h.name);
    await provision(
      ops(),
      labSpec('gone', hosts, { [a]: ['etcd', 'controlplane', 'worker'], [b]: ['worker'] }),
    );
    for (const host of [a, b]) {
      const started = await labExec(host, [
        'docker',
        'run',
        '-d',
        '--name',
        'unrelated',
        'zke/tools:v1',
        'sleep',
        '3600',
      ]);
      assert.equal(started.code, 0, started.stderr);
    }
    const result = await run(ops(), 'removeCluster', { cluster: 'gone' });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    for (const host of [a, b]) {
      const state = await labExec(host, ['docker', 'inspect', '-f', '{{.State.Running}}', 'unrelated']);
      assert.equal(state.stdout.trim(), 'true', `${host}: the unrelated container survives`);
      // every container counted, not only zke-labelled ones: kubelet's pod containers must go too
      assert.deepEqual(
        await allContainers(host),
        ['unrelated'],
        `${host}: only the unrelated container is left`,
      );
      assert.notEqual(
        (await labExec(host, ['test', '-e', '/etc/kubernetes'])).code,
        0,
        `${host}: /etc/kubernetes removed`,
      );
      // flannel's VXLAN device would hold 8472/udp against the next cluster's port check on this host
      const links = (await labExec(host, ['ls', '/sys/class/net'])).stdout.split(/\s+/);
      assert.deepEqual(
        links.filter((l) => l.startsWith('flannel.') || l === 'cni0'),
        [],
        `${host}: flannel.1 and cni0 deleted`,
      );
    }
  },
);
