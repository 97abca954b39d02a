// Image archives: the image names of a `docker save` archive are read from its manifest.json, plain or gzip,
// whatever comes before it in the tar; an archive the worker does not have is a permanent failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { archiveImageTags } from '../../activities/imageArchive.ts';
import { loadImageArchive } from '../../activities/images.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-images');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function archive(name: string, gzip: boolean): string {
  const src = path.join(dir, `${name}-src`);
  fs.mkdirSync(path.join(src, 'blobs/sha256'), { recursive: true });
  fs.writeFileSync(path.join(src, 'blobs/sha256/layer'), Buffer.alloc(70_000, 7)); // spans many blocks
  const manifest = [
    { Config: 'blobs/sha256/c1', RepoTags: ['zke/tools:v1', 'registry.lab/zke/tools:v1'] },
    { Config: 'blobs/sha256/c2', RepoTags: ['zke/etcd:v3.4.23'] },
    { Config: 'blobs/sha256/c3', RepoTags: null },
  ];
  fs.writeFileSync(path.join(src, 'manifest.json'), JSON.stringify(manifest));
  const file = path.join(dir, `${name}.tar${gzip ? '.gz' : ''}`);
  execFileSync('tar', [gzip ? '-czf' : '-cf', file, '-C', src, 'blobs', 'manifest.json']);
  return file;
}

for (const gzip of [false, true]) {
  test(`the image names of a ${gzip ? 'gzip' : 'plain'} archive`, async () => {
    assert.deepEqual(await archiveImageTags(archive(`a${gzip}`, gzip)), [
      'zke/tools:v1',
      'registry.lab/zke/tools:v1',
      'zke/etcd:v3.4.23',
    ]);
  });
}

test('a tar without manifest.json is not an image archive', async () => {
  const file = path.join(dir, 'plain.tar');
  fs.writeFileSync(path.join(dir, 'x.txt'), 'x');
  execFileSync('tar', ['-cf', file, '-C', dir, 'x.txt']);
  await assert.rejects(archiveImageTags(file), /is not an image archive \(no manifest.json\)/);
});

test('an archive missing on the worker machine fails for good, saying to copy it there', async () => {
  const missing = path.join(dir, 'not-copied.tar');
  await assert.rejects(
    loadImageArchive({ cluster: 'any', host: 'n1', archive: missing }),
    (err: Error & { type?: string; nonRetryable?: boolean }) => {
      assert.equal(err.type, 'InvalidImageArchive');
      assert.equal(err.nonRetryable, true);
      assert.equal(
        err.message,
        `image archive ${missing} is not on the worker machine ${os.hostname()}: copy it there (every worker reads the archives from its own disk, at the same path), then load again`,
      );
      return true;
    },
  );
});
