// Snapshots off-host: with `backup_config.s3backupconfig` every snapshot is streamed from its etcd host through
// the worker (SFTP in, one signed PUT out) to `<bucket>/<folder>/snapshot-<name>.db`. The secret key stays in
// the worker's encrypted store: it never reaches a host, a process argument or the workflow history. A PUT
// is whole or absent (the server checks the signed sha256 and length), so an upload cut by a dying worker is
// simply done again by the next attempt, and one already there with the same sha256 is not sent twice. Beside each
// snapshot goes zke's record of that moment, sealed (`<snapshot>.zkestate`): with it and the keyring, `zke recover
// --from-s3` brings a lost ZKE_HOME back before a restore onto fresh hosts.

import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import { existingKeyring } from '../common/keyring.ts';
import { NON_RETRYABLE } from '../common/nonRetryable.ts';
import { openStateCopy, type StateCopy } from '../common/stateCopy.ts';
import { keyringPath } from '../common/temporal.ts';
import { durationSeconds } from '../model/plan/duration.ts';
import type { ClusterSpec, S3BackupConfig } from '../model/spec/types.ts';
import { loadSpec, nodeOf, type RevisionRef, store } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { now } from './deps.ts';
import { sshTarget, withSession } from './hostSession.ts';
import { S3Client, S3Error } from './s3/client.ts';
import {
  listSnapshots,
  SNAPSHOTS_KEY,
  type SnapshotFile,
  type SnapshotRecord,
  snapshotDir,
  snapshotFileName,
} from './snapshot.ts';
import { counting, readFileStream, writeFileStream } from './ssh/files.ts';
import type { SshSession } from './ssh/session.ts';
import { sealedRecord } from './stateCopy.ts';

const SHA_META = 'zke-sha256';

const ROLLING_PREFIX = 'etcd-snapshot-';
/** Names the scheduled and unnamed snapshots get (`snapshot-<stamp>`), and the in-cluster rolling ones. */
const RECURRING = /^(snapshot-snapshot-\d{8}t\d{6}z|etcd-snapshot-.*)\.db$/;

export const s3Key = (s3: S3BackupConfig, name: string) =>
  [s3.folder, snapshotFileName(name)].filter(Boolean).join('/');
/** The sealed copy of zke's record that goes with a snapshot (common/stateCopy.ts), beside its object. */
const stateKeyOf = (snapshotKey: string) => `${snapshotKey}.zkestate`;
const s3Url = (s3: S3BackupConfig, key: string) => `s3://${s3.bucket}/${key}`;

function clientFor(s3: S3BackupConfig): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey.value,
    customCa: s3.customCa,
  });
}

// Refusals that a retry cannot change: credentials, signature, bucket, the endpoint's certificate.
const PERMANENT_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

function classify(s3: S3BackupConfig, err: unknown): unknown {
  const e = err as Error & { code?: string };
  const refused = e instanceof S3Error && (PERMANENT_CODES.has(e.code) || e.status === 403);
  if (!refused && !TLS_CODES.test(e.code ?? '')) return err;
  return ApplicationFailure.create({
    type: NON_RETRYABLE.s3,
    message: `${s3.endpoint}: ${e.message}${refused ? '' : ' (check custom_ca)'}`,
    nonRetryable: true,
  });
}

async function onS3<T>(s3: S3BackupConfig, fn: (c: S3Client) => Promise<T>): Promise<T> {
  try {
    return await fn(clientFor(s3));
  } catch (err) {
    throw classify(s3, err);
  }
}

const hostSession = <T>(
  spec: ClusterSpec,
  cluster: string,
  host: string,
  fn: (s: SshSession) => Promise<T>,
) => withSession(sshTarget(cluster, spec, nodeOf(spec, host)), fn);

/** Where the recorded snapshot went on S3, or undefined when the cluster has no S3 configured. */
export async function uploadSnapshot(input: RevisionRef & { name: string }): Promise<string | undefined> {
  const spec = loadSpec(input);
  const s3 = spec.services.etcd.s3;
  if (!s3) return undefined;
  const record = listSnapshots(input.cluster).find((s) => s.name === input.name);
  if (!record) throw new Error(`cluster ${input.cluster} has no snapshot ${input.name} to upload`);
  const key = s3Key(s3, input.name);
  const there = await onS3(s3, (c) => c.head(s3.bucket, key));
  if (there?.meta[SHA_META] !== record.sha256 || there.size !== record.size) {
    const file = record.files.find((f) => f.host === record.host) ?? record.files[0]!;
    await withHeartbeat((note) =>
      hostSession(spec, input.cluster, file.host, (session) => putFromHost(session, s3, key, file, note)),
    );
  }
  markUploaded(input.cluster, input.name, s3Url(s3, key));
  await putStateCopy(s3, input.cluster, stateKeyOf(key));
  return s3Url(s3, key);
}

/** The record as it is now (this snapshot's entry included), sealed, so the snapshot restores without ZKE_HOME. */
async function putStateCopy(s3: S3BackupConfig, cluster: string, key: string): Promise<void> {
  const body = Buffer.from(sealedRecord(cluster));
  const sha256 = createHash('sha256').update(body).digest('hex');
  await onS3(s3, (c) => c.put(s3.bucket, key, Readable.from([body]), { size: body.length, sha256 }));
}

/** The record sealed beside snapshot `name` on the spec's S3 (zke recover --from-s3), opened with this keyring. */
export async function s3StateCopy(spec: ClusterSpec, name: string): Promise<StateCopy> {
  const s3 = spec.services.etcd.s3;
  if (!s3) throw new Error('the cluster file has no services.etcd.backup_config.s3backupconfig to read from');
  const key = stateKeyOf(s3Key(s3, name));
  const ring = existingKeyring(keyringPath());
  const body = await onS3(s3, (c) => c.get(s3.bucket, key));
  if (!body)
    throw new Error(`${s3Url(s3, key)} is not there: snapshot ${name} was not uploaded with a record`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return openStateCopy(ring, Buffer.concat(chunks).toString('utf8'), s3Url(s3, key), keyringPath());
}

/** Streams `file` from the host's SFTP to S3 in one signed PUT. */
async function putFromHost(
  session: SshSession,
  s3: S3BackupConfig,
  key: string,
  file: SnapshotFile,
  note: (progress: string) => void,
): Promise<void> {
  const source = await readFileStream(session, file.path);
  const body = source.pipe(counting((n) => note(`${file.host}: ${n}/${file.size} bytes uploaded`)));
  source.on('error', (err: Error) => body.destroy(err));
  const meta = { [SHA_META]: file.sha256 };
  await onS3(s3, (c) => c.put(s3.bucket, key, body, { size: file.size, sha256: file.sha256, meta }));
}

/**
 * The in-cluster rolling snapshots (`etcd-snapshot-*.db`, written whole by etcdctl) on `host` that S3 lacks,
 * uploaded; returns their keys. Each snapshot operation runs it, so they reach S3 at the next one.
 */
export async function uploadRollingSnapshots(input: RevisionRef & { host: string }): Promise<string[]> {
  const spec = loadSpec(input);
  const s3 = spec.services.etcd.s3;
  if (!s3) return [];
  const dir = snapshotDir(spec.prefixPath);
  const keyOf = (base: string) => [s3.folder, base].filter(Boolean).join('/');
  const onS3Already = new Map(
    (await onS3(s3, (c) => c.list(s3.bucket, keyOf(ROLLING_PREFIX)))).map((o) => [o.key, o.size]),
  );
  return withHeartbeat((note) =>
    hostSession(spec, input.cluster, input.host, async (session) => {
      const found = await session.exec([
        'find',
        dir,
        '-maxdepth',
        '1',
        '-type',
        'f',
        '-name',
        `${ROLLING_PREFIX}*.db`,
        '-printf',
        '%s %f\\n',
      ]);
      const missing = found.stdout
        .split('\n')
        .map((line) => /^(\d+) (\S+)$/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null && onS3Already.get(keyOf(m[2]!)) !== Number(m[1]));
      const uploaded: string[] = [];
      for (const [, size, base] of missing) {
        const path = `${dir}/${base}`;
        const sum = await session.exec(['sha256sum', path]);
        if (sum.code !== 0) continue; // pruned by the rolling container meanwhile
        const file = { host: input.host, path, size: Number(size), sha256: sum.stdout.split(/\s/)[0]! };
        await putFromHost(session, s3, keyOf(base!), file, note);
        uploaded.push(keyOf(base!));
      }
      return uploaded;
    }),
  );
}

function markUploaded(cluster: string, name: string, url: string): void {
  store().update<SnapshotRecord[]>(cluster, SNAPSHOTS_KEY, (list = []) =>
    list.map((s) => (s.name === name ? { ...s, s3: url } : s)),
  );
}

/**
 * S3 keeps what the hosts keep: recurring snapshots (scheduled or unnamed, and the in-cluster rolling ones)
 * older than `services.etcd.retention` are deleted; named snapshots stay. Returns the deleted keys.
 */
export async function pruneS3Snapshots(input: RevisionRef & { keep: string }): Promise<string[]> {
  const spec = loadSpec(input);
  const s3 = spec.services.etcd.s3;
  if (!s3) return [];
  const cutoff = now().getTime() - durationSeconds(spec.services.etcd.snapshot.retention) * 1000;
  const prefix = s3.folder ? `${s3.folder}/` : '';
  return onS3(s3, async (c) => {
    const listed = await c.list(s3.bucket, prefix);
    const old = listed.filter((o) => {
      const base = o.key.slice(prefix.length);
      return RECURRING.test(base) && o.key !== s3Key(s3, input.keep) && o.lastModified.getTime() < cutoff;
    });
    const records = new Set(listed.map((o) => o.key).filter((k) => k.endsWith('.zkestate')));
    for (const o of old) {
      await c.delete(s3.bucket, o.key);
      if (records.has(stateKeyOf(o.key))) await c.delete(s3.bucket, stateKeyOf(o.key)); // the record with it
    }
    return old.map((o) => o.key);
  });
}

export interface SnapshotSource {
  host: string;
  path: string;
  sha256: string;
  /** Set when the file was downloaded from S3 for this restore. */
  downloadedFrom?: string;
}

/**
 * A host among `etcdHosts` that has the snapshot with its checksum: the recorded file when it is still there,
 * else the S3 object downloaded to the first etcd host (checksum verified while it streams).
 */
export async function locateSnapshot(
  input: RevisionRef & { name: string; etcdHosts: string[] },
): Promise<SnapshotSource> {
  const spec = loadSpec(input);
  const record = listSnapshots(input.cluster).find((s) => s.name === input.name);
  const onHost = record && (await recordedFile(spec, input, record));
  if (onHost) return onHost;
  const s3 = spec.services.etcd.s3;
  const key = s3 && s3Key(s3, input.name);
  const object = s3 && key ? await onS3(s3, (c) => c.head(s3.bucket, key)) : undefined;
  if (!s3 || !key || !object)
    throw ApplicationFailure.create({
      type: NON_RETRYABLE.spec,
      message: `snapshot ${input.name} of cluster ${input.cluster} is on no etcd host${s3 ? ` nor at ${s3Url(s3, s3Key(s3, input.name))}` : ' (and no S3 is configured)'}`,
      nonRetryable: true,
    });
  const sha256 = object.meta[SHA_META] ?? record?.sha256;
  if (!sha256)
    throw permanentInconsistent(`${s3Url(s3, key)} carries no ${SHA_META} and zke has no record of it`);
  const host = input.etcdHosts[0]!;
  const file = `${snapshotDir(spec.prefixPath)}/${snapshotFileName(input.name)}`;
  await download(spec, input.cluster, host, s3, key, file, sha256);
  return { host, path: file, sha256, downloadedFrom: s3Url(s3, key) };
}

async function recordedFile(
  spec: ClusterSpec,
  input: RevisionRef & { etcdHosts: string[] },
  record: SnapshotRecord,
): Promise<SnapshotSource | undefined> {
  for (const f of record.files.filter((file) => input.etcdHosts.includes(file.host))) {
    const out = await hostSession(spec, input.cluster, f.host, (s) => s.exec(['sha256sum', f.path]));
    if (out.code === 0 && out.stdout.split(/\s/)[0] === f.sha256)
      return { host: f.host, path: f.path, sha256: f.sha256 };
  }
  return undefined;
}

async function download(
  spec: ClusterSpec,
  cluster: string,
  host: string,
  s3: S3BackupConfig,
  key: string,
  file: string,
  sha256: string,
): Promise<void> {
  const part = `${file}.part`;
  await withHeartbeat((note) =>
    hostSession(spec, cluster, host, async (session) => {
      await session.exec(['mkdir', '-p', '-m', '700', path.posix.dirname(file)]);
      const hash = createHash('sha256');
      await onS3(s3, async (c) => {
        const body = await c.get(s3.bucket, key);
        if (!body) throw new Error(`${s3Url(s3, key)} is gone`);
        const counter = counting((n) => note(`${host}: ${n} bytes downloaded`), hash);
        await pipeline(body, counter, await writeFileStream(session, part));
      });
      const got = hash.digest('hex');
      if (got !== sha256) {
        await session.exec(['rm', '-f', part]);
        throw permanentInconsistent(`${s3Url(s3, key)} has sha256 ${got}, its recorded one is ${sha256}`);
      }
      await session.exec(['mv', '-f', part, file]);
    }),
  );
}

const permanentInconsistent = (message: string) =>
  ApplicationFailure.create({ type: 'SnapshotInconsistent', message, nonRetryable: true });
