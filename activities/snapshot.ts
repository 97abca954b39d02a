// etcd snapshots: a one-shot container per etcd host (the etcd image, host network, the certificates and the
// snapshot directory bound) runs `etcdctl snapshot save` and a sha256; the store lists each snapshot with its
// files (host, path, size, checksum) under the key the API reads, `snapshots`.

import { readEncryptionKeys } from '../common/stateExport.ts';
import { hostPath, isCertsBind } from '../model/plan/index.ts';
import { SNAPSHOT_HOST_DIR } from '../model/plan/paths.ts';
import { loadSpec, nodeOf, type RevisionRef, store } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { runOneShot } from './docker/oneShot.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';
import { hostPlanFor } from './rolling.ts';

export const SNAPSHOTS_KEY = 'snapshots';

export interface SnapshotFile {
  host: string;
  /** Path on the host. */
  path: string;
  size: number;
  sha256: string;
}

export interface SnapshotRecord {
  name: string;
  /** The first file's host, size and checksum (the copy a restore uses by default). */
  host: string;
  size: number;
  sha256: string;
  createdAt: string;
  revision: number;
  files: SnapshotFile[];
  /** `s3://bucket/key` once uploaded (backup_config.s3backupconfig). */
  s3?: string;
  /** The names of the secrets encryption keys its Secrets are sealed with (a restore brings them back). */
  encryptionKeys?: string[];
}

// Fixed script; the file name comes in through the environment.
const SAVE_SCRIPT = [
  'set -eu',
  'f="/backup/$SNAPSHOT_FILE"',
  'etcdctl snapshot save "$f.part" >/dev/null',
  'mv "$f.part" "$f"',
  'sum=$(sha256sum "$f" | cut -d" " -f1)',
  'echo "$sum  $SNAPSHOT_FILE" > "$f.sha256"',
  'echo "ZKE_SNAPSHOT $sum $(stat -c %s "$f")"',
].join('\n');

export function snapshotDir(prefix: string): string {
  return hostPath(prefix, SNAPSHOT_HOST_DIR);
}

/** Not `etcd-snapshot-*.db`: the rolling-snapshots container prunes those by age. */
export const snapshotFileName = (name: string) => `snapshot-${name}.db`;

export async function snapshotEtcdHost(
  input: RevisionRef & { host: string; name: string },
): Promise<SnapshotFile> {
  const spec = loadSpec(input);
  const etcd = hostPlanFor(input).containers.find((c) => c.name === 'etcd');
  if (!etcd) throw new Error(`${input.host} runs no etcd in revision ${input.revision}`);
  const file = snapshotFileName(input.name);
  return withHeartbeat((note) =>
    withSession(sshTarget(input.cluster, spec, nodeOf(spec, input.host)), async (session) => {
      const log = await runOneShot(
        dockerOf(session, spec.privateRegistries),
        {
          name: 'zke-etcd-snapshot',
          cluster: spec.clusterName,
          image: etcd.image,
          command: ['/bin/sh', '-c', SAVE_SCRIPT],
          env: [...etcd.env.filter((e) => e.startsWith('ETCDCTL_')), `SNAPSHOT_FILE=${file}`],
          binds: [`${snapshotDir(spec.prefixPath)}:/backup`, ...etcd.binds.filter(isCertsBind)],
        },
        note,
        spec.services.etcd.backupTimeoutSeconds * 1000,
      );
      const found = /ZKE_SNAPSHOT ([0-9a-f]{64}) (\d+)/.exec(log);
      if (!found) throw new Error(`${input.host}: the snapshot container did not report a checksum: ${log}`);
      return {
        host: input.host,
        path: `${snapshotDir(spec.prefixPath)}/${file}`,
        sha256: found[1],
        size: Number(found[2]),
      };
    }),
  );
}

export function listSnapshots(cluster: string): SnapshotRecord[] {
  return store().read<SnapshotRecord[]>(cluster, SNAPSHOTS_KEY) ?? [];
}

/** Adds (or replaces, by name) a snapshot in the cluster's list. */
export async function recordSnapshot(input: {
  cluster: string;
  revision: number;
  name: string;
  createdAt: string;
  files: SnapshotFile[];
}): Promise<SnapshotRecord> {
  const [first] = input.files;
  const record: SnapshotRecord = {
    name: input.name,
    host: first.host,
    size: first.size,
    sha256: first.sha256,
    createdAt: input.createdAt,
    revision: input.revision,
    files: input.files,
  };
  const keys = readEncryptionKeys(store(), input.cluster).map((k) => k.name);
  if (keys.length) record.encryptionKeys = keys;
  store().update<SnapshotRecord[]>(input.cluster, SNAPSHOTS_KEY, (list = []) => [
    ...list.filter((s) => s.name !== input.name),
    record,
  ]);
  return record;
}
