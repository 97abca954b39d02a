// `zke images push`: an image built into the lab registry is copied, over the registry API, into another
// registry namespace; a lab host's Docker then pulls it by the new name and gets the very same image. Run alone
// with e.g. `ZLAB_ID=6 node --import tsx --test test/lab/images-push.test.ts`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { REGISTRY_TAGS } from '../support/cluster.ts';
import { currentLab, LAB_SKIP_REASON, labDown, labExec, labImages, labUp } from '../support/lab.ts';

const skip = LAB_SKIP_REASON;
const ZKE = join(import.meta.dirname, '../../bin/zke.mjs');
const IMAGE = 'zke/etcd:v3.4.23';
const NAMESPACE = `zke-push-test-${process.pid}`;

before(async () => {
  if (skip) return;
  await labUp(1);
  await labImages();
});
after(async () => {
  if (skip) return;
  rmSync(join(REGISTRY_TAGS, NAMESPACE), { recursive: true, force: true }); // the copy's repository, not its blobs
  await labDown();
});

const zke = (args: string[]) =>
  spawnSync(process.execPath, [ZKE, ...args], { encoding: 'utf8', env: process.env });

async function imageId(ref: string): Promise<string> {
  const pull = await labExec('zlab1', ['docker', 'pull', ref]);
  assert.equal(pull.code, 0, pull.stderr);
  return (await labExec('zlab1', ['docker', 'image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
}

test(
  'push copies an image under the target namespace; Docker pulls the same image by the new name',
  { skip },
  async () => {
    const registry = currentLab().registry;
    const namespace = `zke-push-test-${process.pid}`;
    const target = `http://${registry}/${namespace}`;
    const first = zke(['images', 'push', '--registry', target, IMAGE]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(
      first.stdout,
      new RegExp(`^${registry}/${namespace}/zke/etcd:v3\\.4\\.23 \\([1-9][0-9]* blobs? sent\\)\\n$`),
    );
    assert.equal(await imageId(`${registry}/${namespace}/${IMAGE}`), await imageId(`${registry}/${IMAGE}`));

    const again = zke(['images', 'push', '--registry', target, IMAGE]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /\(0 blobs sent\)/, 'the second push sends no blob the target has');
  },
);

test('push of an image the source lacks fails naming it', { skip }, () => {
  const run = zke([
    'images',
    'push',
    '--registry',
    `http://${currentLab().registry}/x`,
    'zke/no-such-image:v0',
  ]);
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    /zke images push: zke\/no-such-image:v0: http:\/\/\S+\/zke\/no-such-image:v0: 404 .*MANIFEST_UNKNOWN/,
  );
});
