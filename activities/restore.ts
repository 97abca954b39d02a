// Restoring etcd from a snapshot: one host's snapshot file is copied to the other etcd hosts (SFTP through the
// worker), its checksum verified on every host, the data directory moved aside, and `etcdctl snapshot restore`
// run per host with the full initial-cluster in a one-shot container.

import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { PlannedContainer } from '../model/plan/types.ts';
import type { ClusterSpec } from '../model/spec/types.ts';
import { loadSpec, nodeOf, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { runOneShot } from './docker/oneShot.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';
import { type HostRef, hostPlanFor } from './rolling.ts';
import { type SnapshotFile, snapshotDir, snapshotFileName } from './snapshot.ts';
import { counting, readFileStream, writeFileStream } from './ssh/files.ts';
import type { SshSession } from './ssh/session.ts';

const RESTORE_DIR = 'restore';

const session = <T>(ref: HostRef, fn: (s: SshSession) => Promise<T>) => {
  const spec = loadSpec(ref);
  return withSession(sshTarget(ref.cluster, spec, nodeOf(spec, ref.host)), fn);
};

export interface CopiedFile {
  host: string;
  path: string;
}

/** Copies `sourcePath` on `source` to every target host (atomically, through a .part file). */
export async function distributeSnapshot(
  input: RevisionRef & { name: string; source: string; sourcePath: string; targets: string[] },
): Promise<CopiedFile[]> {
  const dir = `${snapshotDir(loadSpec(input).prefixPath)}/${RESTORE_DIR}`;
  const dest = `${dir}/${path.posix.basename(input.sourcePath)}`;
  return withHeartbeat((note) =>
    session({ ...input, host: input.source }, async (from) => {
      const copies: CopiedFile[] = [];
      for (const host of input.targets.filter((h) => h !== input.source)) {
        await session({ ...input, host }, async (to) => {
          await to.exec(['mkdir', '-p', '-m', '700', dir]);
          await copy(from, input.sourcePath, to, dest, (bytes) => note(`${host}: ${bytes} bytes copied`));
        });
        copies.push({ host, path: dest });
      }
      return [{ host: input.source, path: input.sourcePath }, ...copies];
    }),
  );
}

async function copy(
  from: SshSession,
  src: string,
  to: SshSession,
  dest: string,
  progress: (bytes: number) => void,
): Promise<void> {
  await putFile(to, dest, await readFileStream(from, src), progress);
}

/** Writes `source` to `dest` on the host through `dest.part`, renamed once whole. */
async function putFile(
  to: SshSession,
  dest: string,
  source: Readable,
  progress: (bytes: number) => void,
): Promise<void> {
  await pipeline(source, counting(progress), await writeFileStream(to, `${dest}.part`));
  const moved = await to.exec(['mv', '-f', `${dest}.part`, dest]);
  if (moved.code !== 0) throw new Error(`${to.target.host}: mv ${dest}.part: ${moved.stderr.trim()}`);
}

/**
 * An etcd snapshot brought from elsewhere (an RKE snapshot archive) written to the first etcd host of `spec` as
 * zke keeps its own (`snapshotDir`, `snapshotFileName`), for a restore to find; the file, checked.
 */
export async function placeSnapshot(spec: ClusterSpec, name: string, data: Buffer): Promise<SnapshotFile> {
  const node = spec.nodes.find((n) => n.roles.includes('etcd'));
  if (!node) throw new Error(`cluster ${spec.clusterName} has no etcd host to restore the snapshot onto`);
  const dir = snapshotDir(spec.prefixPath);
  const file = `${dir}/${snapshotFileName(name)}`;
  const sha256 = createHash('sha256').update(data).digest('hex');
  await withSession(sshTarget(spec.clusterName, spec, node), async (s) => {
    await s.exec(['mkdir', '-p', '-m', '700', dir]);
    await putFile(s, file, Readable.from([data]), () => {});
    const sum = await s.exec(['sha256sum', file]);
    if (sum.stdout.split(/\s/)[0] !== sha256)
      throw new Error(
        `${node.name}: ${file} does not have the snapshot's sha256 once written: ${sum.stderr}`,
      );
  });
  return { host: node.name, path: file, size: data.length, sha256 };
}

/** The file's sha256 on the host must be the recorded one ("etcd snapshots are not consistent" otherwise). */
export async function verifySnapshotFile(input: HostRef & { path: string; sha256: string }): Promise<string> {
  const out = await session(input, (s) => s.exec(['sha256sum', input.path]));
  const sum = out.stdout.split(/\s/)[0];
  if (out.code !== 0 || sum !== input.sha256)
    throw ApplicationFailure.create({
      type: 'SnapshotInconsistent',
      message: `${input.host}: ${input.path} has sha256 ${sum || out.stderr.trim()}, the snapshot's is ${input.sha256}`,
      nonRetryable: true,
    });
  return sum;
}

const flag = (c: PlannedContainer, name: string) =>
  c.command.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '';

const plannedEtcd = (ref: HostRef) => {
  const etcd = hostPlanFor(ref).containers.find((c) => c.name === 'etcd');
  if (!etcd) throw new Error(`${ref.host} runs no etcd in revision ${ref.revision}`);
  return etcd;
};

// Moves the data directory aside once per restore (`$2` names it); a retry finds it there and only clears
// what a previous attempt restored.
const SET_ASIDE = [
  'set -eu',
  'if [ -e "$2" ]; then rm -rf --one-file-system "$1"; elif [ -e "$1" ]; then mv "$1" "$2"; fi',
  'mkdir -p -m 700 "$1"',
].join('\n');

const RESTORE_SCRIPT = [
  'set -eu',
  'rm -rf "$DATA_DIR/restore"',
  // etcdutl from etcd 3.5 on (3.6's etcdctl has no restore); etcdctl in an older etcd image
  'restore=etcdutl; command -v etcdutl >/dev/null || restore=etcdctl',
  '"$restore" snapshot restore "$SNAPSHOT" --data-dir "$DATA_DIR/restore" --name "$NAME" \\',
  '  --initial-cluster "$INITIAL_CLUSTER" --initial-cluster-token "$TOKEN" --initial-advertise-peer-urls "$PEER_URL"',
  'mv "$DATA_DIR/restore/member" "$DATA_DIR/member"',
  'rmdir "$DATA_DIR/restore"',
].join('\n');

/** Restores `path` (a snapshot file under the host's snapshot directory) into the host's etcd data dir. */
export async function restoreEtcdData(
  input: HostRef & { path: string; stamp: string; etcdHosts: string[] },
): Promise<{ host: string; setAside: string }> {
  const spec = loadSpec(input);
  const etcd = plannedEtcd(input);
  const dataDir = flag(etcd, 'data-dir');
  const dataBind = etcd.binds.find((b) => b.split(':')[1] === dataDir);
  if (!dataBind)
    throw new Error(`${input.host}: the etcd data directory ${dataDir} is not bound from the host`);
  const hostDataDir = dataBind.split(':')[0];
  const setAside = `${hostDataDir}.before-restore-${input.stamp}`;
  const initialCluster = input.etcdHosts
    .map((host) => plannedEtcd({ ...input, host }))
    .map((c) => `${flag(c, 'name')}=${flag(c, 'initial-advertise-peer-urls')}`)
    .join(',');
  const snapshots = snapshotDir(spec.prefixPath);
  return withHeartbeat((note) =>
    session(input, async (s) => {
      const moved = await s.exec(['sh', '-c', SET_ASIDE, 'sh', hostDataDir, setAside]);
      if (moved.code !== 0)
        throw new Error(`${input.host}: moving ${hostDataDir} aside failed: ${moved.stderr.trim()}`);
      await runOneShot(
        dockerOf(s, spec.privateRegistries),
        {
          name: 'zke-etcd-restore',
          cluster: spec.clusterName,
          image: etcd.image,
          command: ['/bin/sh', '-c', RESTORE_SCRIPT],
          env: [
            'ETCDCTL_API=3',
            `DATA_DIR=${dataDir}`,
            `SNAPSHOT=/backup${input.path.slice(snapshots.length)}`,
            `NAME=${flag(etcd, 'name')}`,
            `INITIAL_CLUSTER=${initialCluster}`,
            `TOKEN=${flag(etcd, 'initial-cluster-token')}`,
            `PEER_URL=${flag(etcd, 'initial-advertise-peer-urls')}`,
          ],
          binds: [`${hostDataDir}:${dataDir}`, `${snapshots}:/backup:ro`],
        },
        note,
        spec.services.etcd.backupTimeoutSeconds * 1000,
      );
      return { host: input.host, setAside };
    }),
  );
}
