// zke recover --from-rke-snapshot FILE.zip: zke's record of a cluster made from an RKE1 snapshot archive, as
// `rke etcd snapshot-restore` restores onto new hosts from the archive alone (rke cmd/etcd.go
// RestoreEtcdSnapshot: the state taken out of the snapshot, its certificates kept). The archive's
// cluster.rkestate gives the CA, every certificate and key, the service-account key and the secrets encryption
// keys, as `zke adopt` takes them; cluster.yml is revision 1; the etcd snapshot is written to the first etcd
// host and listed under its RKE name, for `zke up` then `zke etcd snapshot-restore NAME`.
import { readFile } from 'node:fs/promises';
import { placeSnapshot } from '../../activities/restore.ts';
import { recordSnapshot } from '../../activities/snapshot.ts';
import { writeRevision } from '../../common/revisions.ts';
import { InvalidRkeSnapshot, readRkeSnapshot } from '../../common/rkeSnapshot.ts';
import { ENCRYPTION_KEYS_RECORD } from '../../common/stateExport.ts';
import type { ClusterStore } from '../../common/store.ts';
import { encryptionKeysToAdopt, InvalidRkeState, parseRkeState } from '../../model/rkestate/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { UsageError } from './online.ts';

export interface RkeRecovery {
  cluster: string;
  snapshot: string;
  /** Where the etcd snapshot was written (`host:path`). */
  placed: string;
  certificates: number;
  encryptionKeys: number;
}

/** Reads the archive, writes the snapshot to the first etcd host, then zke's record of the cluster. */
export async function recoverFromRkeSnapshot(
  store: ClusterStore,
  spec: ClusterSpec,
  file: string,
): Promise<RkeRecovery> {
  const { name, snapshot, state } = readArchive(await readOrSay(file), file);
  const adopted = adoptedOrSay(spec, state, file);
  const placed = await placeSnapshot(spec, name, snapshot);
  const cluster = spec.clusterName;
  const createdAt = new Date().toISOString();
  writeRevision(store, cluster, { number: 1, spec, createdAt, source: `recover: ${file}` });
  store.write(cluster, 'pki', adopted.bundle);
  if (adopted.keys) store.write(cluster, ENCRYPTION_KEYS_RECORD, { keys: adopted.keys });
  await recordSnapshot({ cluster, revision: 1, name, createdAt, files: [placed] });
  return {
    cluster,
    snapshot: name,
    placed: `${placed.host}:${placed.path}`,
    certificates: Object.keys(adopted.bundle).length,
    encryptionKeys: adopted.keys?.length ?? 0,
  };
}

async function readOrSay(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read the RKE snapshot archive ${file}: ${(error as Error).message}`);
  }
}

function readArchive(bytes: Buffer, file: string) {
  try {
    return readRkeSnapshot(bytes, file);
  } catch (error) {
    if (error instanceof InvalidRkeSnapshot) throw new UsageError(error.message);
    throw error;
  }
}

/** The state's certificates and the encryption keys the spec needs, or a usage error naming what is wrong. */
function adoptedOrSay(spec: ClusterSpec, state: unknown, file: string) {
  try {
    const parsed = parseRkeState(state);
    const keys = encryptionKeysToAdopt(spec, parsed.encryptionConfig);
    if ('problem' in keys) throw new UsageError(`${file}: its cluster.rkestate: ${keys.problem}`);
    return { bundle: parsed.bundle, keys: keys.keys };
  } catch (error) {
    if (error instanceof InvalidRkeState) throw new UsageError(`${file}: its ${error.message}`);
    throw error;
  }
}
