// zke's record of a cluster read from the store as RKE's `cluster.rkestate` (`zke state export`): the applied
// revision's spec, the certificate bundle and the secrets encryption config. A plain read: the private keys it
// returns never pass through a workflow.

import type { CertBundle } from '../model/pki/types.ts';
import { ENCRYPTION_CONFIG_TEXT, type EncryptionKey, renderTextFile } from '../model/plan/index.ts';
import { type RkeFullState, toRkeState } from '../model/rkestate/index.ts';
import { readRevisionSpec } from './revisions.ts';
import type { ClusterStore } from './store.ts';

/** The store record of zke's generated secrets encryption keys (written by the certificates step). */
export const ENCRYPTION_KEYS_RECORD = 'encryption-keys';

/** That record: the keys in use (the first one writes), a rotation under way, and the keys rotated out. */
export interface EncryptionKeysRecord {
  keys: EncryptionKey[];
  /** A rotation under way: the names of the key it replaces and of the new one. */
  rotation?: { from: string; to: string };
  /** Keys rotated out: a snapshot taken under one of them brings it back (restoreEncryptionKeys). */
  retired?: EncryptionKey[];
}

export function readEncryptionKeys(store: ClusterStore, cluster: string): EncryptionKey[] {
  return store.read<EncryptionKeysRecord>(cluster, ENCRYPTION_KEYS_RECORD)?.keys ?? [];
}

/** Why a cluster has no state to export yet. */
export class NothingToExport extends Error {}

export function exportRkeState(store: ClusterStore, cluster: string): RkeFullState {
  const revision = store.read<{ revision?: number }>(cluster, 'current')?.revision;
  const spec = revision === undefined ? undefined : readRevisionSpec(store, cluster, revision);
  const bundle = store.read<CertBundle>(cluster, 'pki');
  if (!spec || !bundle)
    throw new NothingToExport(
      `cluster ${cluster} has no state to export yet (it is written when provisioning succeeds)`,
    );
  const encryption = spec.services['kube-api'].secretsEncryption.enabled
    ? renderTextFile(ENCRYPTION_CONFIG_TEXT, spec, { encryptionKeys: readEncryptionKeys(store, cluster) })
    : undefined;
  return toRkeState({ spec, bundle, encryptionConfig: encryption });
}
