// The cluster store on a full, then read-only, disk (a 64 KiB tmpfs mounted for this file): writes fail with
// a fault naming the cause, the API answers 507 / 503 problem+json instead of 500, /healthz says 503, no
// temporary file is left behind and the records already there stay whole.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FileClusterStore, StoreFault } from '../../common/store.ts';
import { tempDir } from '../support/tempDir.ts';
import { type TestTemporal, testTemporal } from '../support/temporal.ts';
import { startApi, type TestApi, terminateCluster, unreachableSpec } from './api-harness.ts';

const mountPoint = tempDir('zke-store-disk');
const skip = mountTmpfs();
let t: TestTemporal;
let api: TestApi;
let store: FileClusterStore;

/** Mounts the tiny tmpfs; a skip reason when it cannot (not root, no mount). */
function mountTmpfs(): string | false {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'zke-store-fault', mountPoint]);
    return false;
  } catch (err) {
    return `cannot mount a tmpfs: ${(err as Error).message}`;
  }
}

function unmount(): void {
  if (!skip && fs.readFileSync('/proc/self/mounts', 'utf8').includes(` ${mountPoint} `))
    execFileSync('umount', ['-l', mountPoint]);
}

before(async () => {
  if (skip) return;
  t = await testTemporal();
  store = new FileClusterStore(path.join(mountPoint, 'clusters'));
  api = await startApi(t, undefined, { store });
});

after(async () => {
  await api?.close();
  await t?.close();
  unmount();
});

function tmpFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.tmp'));
}

function fillDisk(): void {
  const filler = fs.openSync(path.join(mountPoint, 'filler'), 'w');
  try {
    for (;;) fs.writeSync(filler, Buffer.alloc(4096, 1));
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(filler);
  }
}

test(
  'disk full: 507 naming the store, /healthz 503, no temporary file, the old records intact',
  { skip },
  async () => {
    const created = await api.request('POST', '/v1/clusters', { body: unreachableSpec('kept') });
    assert.equal(created.status, 202, created.text);
    await terminateCluster(t, 'kept');
    const before = fs.readFileSync(path.join(store.root, 'kept', 'revision', '1.json'), 'utf8');
    fillDisk();

    assert.throws(
      () => store.write('kept', 'revision/1', { overwritten: true }),
      (err) =>
        err instanceof StoreFault && err.full && /^the cluster store is full \(ENOSPC/.test(err.message),
    );
    const changed = `${unreachableSpec('kept')}kubernetes_version: v1.34.4\n`;
    for (const [method, url, body] of [
      ['PUT', '/v1/clusters/kept', changed],
      ['POST', '/v1/clusters', unreachableSpec('new')],
    ] as const) {
      const reply = await api.request(method, url, { body });
      assert.equal(reply.status, 507, reply.text);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(reply.json.title, 'Insufficient Storage');
      assert.match(
        reply.json.detail,
        /^the cluster store is full \(ENOSPC, no space left\): nothing was changed$/,
      );
    }
    const health = await api.request('GET', '/healthz', { token: null });
    assert.equal(health.status, 503);
    assert.equal(health.json.store.writable, false);
    assert.match(health.json.store.error, /full \(ENOSPC/);

    assert.deepEqual(tmpFiles(mountPoint), [], 'no temporary file left behind');
    assert.equal(fs.readFileSync(path.join(store.root, 'kept', 'revision', '1.json'), 'utf8'), before);
    assert.equal(store.read<{ number: number }>('kept', 'revision/1')?.number, 1);
    assert.equal(
      (await api.request('GET', '/v1/clusters/new')).status,
      404,
      'nothing stored for the refused POST',
    );
    fs.rmSync(path.join(mountPoint, 'filler'));
  },
);

test('read-only store: 503 naming the cause; the records stay readable', { skip }, async () => {
  execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
  try {
    const reply = await api.request('POST', '/v1/clusters', { body: unreachableSpec('other') });
    assert.equal(reply.status, 503, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.match(
      reply.json.detail,
      /^the cluster store is not writable \(EROFS, read-only\): nothing was changed$/,
    );
    const health = await api.request('GET', '/healthz', { token: null });
    assert.equal(health.status, 503);
    assert.match(health.json.store.error, /EROFS/);
    assert.equal(store.read<{ number: number }>('kept', 'revision/1')?.number, 1);
    assert.equal((await api.request('GET', '/v1/clusters/kept')).status, 200);
  } finally {
    execFileSync('mount', ['-o', 'remount,rw', mountPoint]);
  }
});
