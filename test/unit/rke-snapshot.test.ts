// RKE's etcd snapshot archive read back (common/rkeSnapshot.ts over common/zip.ts), laid out as rke-tools writes
// it: `/backup/<name>` (the etcd snapshot) and `/etc/kubernetes/<name>.rkestate`, full paths as entry names,
// deflated by Go's archive/zip with a data descriptor (test/support/zip.ts writes it that way).
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXIT } from '../../cli/command.ts';
import { InvalidRkeSnapshot, readRkeSnapshot } from '../../common/rkeSnapshot.ts';
import { InvalidZip, zipEntries } from '../../common/zip.ts';
import { tempDir } from '../support/tempDir.ts';
import { goZip } from '../support/zip.ts';
import { runZke } from '../support/zkeCli.ts';

const NAME = 'rke_etcd_snapshot_2026-12-06T17:20:00Z';
const SNAPSHOT = Buffer.concat([Buffer.from('etcd snapshot '), Buffer.alloc(200_000, 7)]);
const STATE = { desiredState: { rkeConfig: {} }, currentState: { rkeConfig: { nodes: [] } } };
const rkeArchive = (extra: { name: string; data: Buffer }[] = []) =>
  goZip([
    { name: `/backup/${NAME}`, data: SNAPSHOT },
    { name: `/etc/kubernetes/${NAME}.rkestate`, data: Buffer.from(JSON.stringify(STATE)) },
    ...extra,
  ]);

// Written by Go 1.26's archive/zip exactly as rke-tools' AddFileToZip writes (FileHeader named by the full
// path, Method Deflate, Modified time.Unix(0, 0), mode 0600): /backup/snap, /etc/kubernetes/snap.rkestate.
const BY_GO = Buffer.from(
  'UEsDBBQACAAIAAAAIewAAAAAAAAAAAAAAAAMAAkAL2JhY2t1cC9zbmFwVVQFAAEAAAAAvMtBEYBADAPAPyoiAFM5yMw9So+h4VH3' +
    'uEDA5jIeMaLBhHycqORdc3nHeI3RVoER8BSKl7a/zBcAAP//UEsHCCM4GC48AAAAnAAAAFBLAwQUAAgACAAAACHsAAAAAAAAAAAA' +
    'AAAAHQAJAC9ldGMva3ViZXJuZXRlcy9zbmFwLnJrZXN0YXRlVVQFAAEAAAAAqlZKSS3OLEpNCS5JLElVsqqu1VFKLi0qSs0rgYvU' +
    'cgECAAD//1BLBwj2+NmuJQAAACYAAABQSwECFAMUAAgACAAAACHsIzgYLjwAAACcAAAADAAJAAAAAAAAAAAAgIEAAAAAL2JhY2t1' +
    'cC9zbmFwVVQFAAEAAAAAUEsBAhQDFAAIAAgAAAAh7Pb42a4lAAAAJgAAAB0ACQAAAAAAAAAAAICBfwAAAC9ldGMva3ViZXJuZXRl' +
    'cy9zbmFwLnJrZXN0YXRlVVQFAAEAAAAAUEsFBgAAAAACAAIAlwAAAPgAAAAAAA==',
  'base64',
);

test("an archive Go's archive/zip wrote as rke-tools does reads back", () => {
  const { name, snapshot, state } = readRkeSnapshot(BY_GO, 'snap.zip');
  assert.equal(name, 'snap');
  assert.equal(snapshot.toString(), 'not really an etcd snapshot, but bytes all the same\n'.repeat(3));
  assert.deepEqual(state, { desiredState: {}, currentState: {} });
});

test("RKE's layout: the snapshot by its name, the state file that names it, parsed", () => {
  const read = readRkeSnapshot(rkeArchive(), `${NAME}.zip`);
  assert.equal(read.name, NAME);
  assert.ok(read.snapshot.equals(SNAPSHOT));
  assert.deepEqual(read.state, STATE);
});

test('stored entries read as deflated ones; directories are left out', () => {
  const archive = goZip([
    { name: '/backup/', data: Buffer.alloc(0), stored: true },
    { name: `/backup/${NAME}`, data: SNAPSHOT, stored: true },
  ]);
  assert.deepEqual(
    zipEntries(archive).map((e) => [e.name, e.size]),
    [[`/backup/${NAME}`, SNAPSHOT.length]],
  );
  assert.ok(zipEntries(archive)[0]!.read().equals(SNAPSHOT));
});

test('zip64, as Go writes archives past 4 GiB: sizes and offsets from the zip64 records', () => {
  const files = [
    { name: `/backup/${NAME}`, data: SNAPSHOT },
    { name: `/etc/kubernetes/${NAME}.rkestate`, data: Buffer.from(JSON.stringify(STATE)) },
  ];
  const read = readRkeSnapshot(goZip(files, { zip64: true }), 'big.zip');
  assert.ok(read.snapshot.equals(SNAPSHOT));
  assert.deepEqual(read.state, STATE);
});

test('an archive without the state file says RKE took it without one', () => {
  const archive = goZip([{ name: `/backup/${NAME}`, data: SNAPSHOT }]);
  assert.throws(
    () => readRkeSnapshot(archive, 'old.zip'),
    (e: Error) =>
      e instanceof InvalidRkeSnapshot &&
      e.message.startsWith(
        `old.zip holds no /etc/kubernetes/${NAME}.rkestate: RKE took this snapshot without`,
      ),
  );
});

test('not an RKE snapshot: no snapshot file, two of them, not a zip, a damaged entry', () => {
  const other = goZip([{ name: 'notes.txt', data: Buffer.from('x') }]);
  assert.throws(
    () => readRkeSnapshot(other, 'a.zip'),
    /a\.zip is not an RKE etcd snapshot archive: .* notes\.txt/,
  );
  const two = rkeArchive([{ name: '/backup/another', data: Buffer.from('y') }]);
  assert.throws(() => readRkeSnapshot(two, 'b.zip'), /b\.zip is not an RKE etcd snapshot archive/);
  assert.throws(() => readRkeSnapshot(SNAPSHOT, 'c.zip'), /c\.zip: not a zip archive/);
  const damaged = Buffer.from(rkeArchive());
  damaged[200] = (damaged[200]! + 1) & 0xff; // inside the snapshot's deflated data
  assert.throws(
    () => readRkeSnapshot(damaged, 'd.zip'),
    (e: Error) => e instanceof InvalidRkeSnapshot && e.message.startsWith('d.zip: '),
  );
  assert.throws(() => zipEntries(damaged)[0]!.read(), Error);
  assert.throws(() => zipEntries(Buffer.alloc(10)), InvalidZip);
});

test('zke recover --from-rke-snapshot refuses an archive it cannot use before reaching any host', async () => {
  const dir = tempDir('zke-rke-recover');
  const env = { ZKE_HOME: path.join(dir, 'home') };
  const file = path.join(dir, 'cluster.yml');
  writeFileSync(
    file,
    'cluster_name: old\nnodes:\n  - address: 192.0.2.1\n    role: [etcd, controlplane, worker]\n',
  );
  const noState = path.join(dir, 'no-state.zip');
  writeFileSync(noState, goZip([{ name: `/backup/${NAME}`, data: SNAPSHOT }]));
  const badState = path.join(dir, 'bad-state.zip');
  writeFileSync(badState, rkeArchive());
  const recover = (zip: string) => runZke(['recover', '-c', file, '--from-rke-snapshot', zip], env);

  const without = await recover(noState);
  assert.equal(without.code, EXIT.usage, without.stderr);
  assert.match(without.stderr, /no-state\.zip holds no \/etc\/kubernetes\/rke_etcd_snapshot_.*\.rkestate/);
  const bad = await recover(badState);
  assert.equal(bad.code, EXIT.usage, bad.stderr);
  assert.match(
    bad.stderr,
    /bad-state\.zip: its not a usable cluster\.rkestate: currentState\.certificatesBundle/,
  );
  const missing = await recover(path.join(dir, 'nowhere.zip'));
  assert.match(missing.stderr, /cannot read the RKE snapshot archive .*nowhere\.zip/);
  assert.ok(!existsSync(path.join(env.ZKE_HOME, 'clusters', 'old')), 'no record written');
});
