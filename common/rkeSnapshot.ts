// RKE1's etcd snapshot archive, `/opt/rke/etcd-snapshots/<name>.zip`, read as RKE lays it out. From rke-tools'
// main.go (CreateBackup, compressFiles, AddFileToZip): `etcdctl snapshot save /backup/<name>`, then a zip of
// that file and, when present, the state file RKE deployed beside it, `/etc/kubernetes/<name>.rkestate`
// (rke's pki/deploy.go DeployStateOnPlaneHost: "for rke-tools to pick it up and include it in the snapshot");
// each entry named by its full path in the container (`header.Name = filename`), deflated. `rke etcd
// snapshot-restore` takes the state back out of the archive by that same name (rke-tools ExtractStateFile:
// `/etc/kubernetes/<name>.rkestate`; rke cmd/etcd.go RestoreEtcdSnapshot) and restores `/backup/<name>`.
import { posix } from 'node:path';
import { InvalidZip, type ZipEntry, zipEntries } from './zip.ts';

/** Where rke-tools' backup container has the snapshot file (`/backup`, bound from /opt/rke/etcd-snapshots). */
export const RKE_BACKUP_DIR = '/backup';
/** Where it has the state file RKE deployed for the snapshot (`/etc/kubernetes`, the host's). */
export const RKE_STATE_DIR = '/etc/kubernetes';

export interface RkeSnapshot {
  /** The snapshot's name (`rke etcd snapshot-save --name`). */
  name: string;
  /** The etcd snapshot (`etcdctl snapshot save`'s file). */
  snapshot: Buffer;
  /** The cluster.rkestate taken into the archive, parsed as JSON. */
  state: unknown;
}

/** An archive that is not an RKE snapshot zke can restore, and why. */
export class InvalidRkeSnapshot extends Error {}

/** The snapshot and state of an RKE snapshot archive (the .zip's bytes); `file` names it in errors. */
export function readRkeSnapshot(archive: Buffer, file: string): RkeSnapshot {
  let entries: ZipEntry[];
  try {
    entries = zipEntries(archive);
  } catch (error) {
    if (error instanceof InvalidZip) throw new InvalidRkeSnapshot(`${file}: ${error.message}`);
    throw error;
  }
  const snapshots = entries.filter((e) => posix.dirname(e.name) === RKE_BACKUP_DIR);
  if (snapshots.length !== 1)
    throw new InvalidRkeSnapshot(
      `${file} is not an RKE etcd snapshot archive: it should hold one ${RKE_BACKUP_DIR}/<name> file, it holds ${names(entries)}`,
    );
  const snapshot = snapshots[0]!;
  const name = posix.basename(snapshot.name);
  const statePath = `${RKE_STATE_DIR}/${name}.rkestate`;
  const state = entries.find((e) => e.name === statePath);
  if (!state)
    throw new InvalidRkeSnapshot(
      `${file} holds no ${statePath}: RKE took this snapshot without its state file, whose CA and keys zke needs to restore it (take a snapshot with rke etcd snapshot-save, cluster.rkestate beside cluster.yml)`,
    );
  return { name, snapshot: readOrSay(snapshot, file), state: parseState(readOrSay(state, file), file) };
}

const names = (entries: ZipEntry[]) => entries.map((e) => e.name).join(', ') || 'no file';

function readOrSay(entry: ZipEntry, file: string): Buffer {
  try {
    return entry.read();
  } catch (error) {
    throw new InvalidRkeSnapshot(`${file}: ${(error as Error).message}`);
  }
}

function parseState(bytes: Buffer, file: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InvalidRkeSnapshot(`${file}: its state file is not JSON (${(error as Error).message})`);
  }
}
