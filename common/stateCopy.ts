// The cluster's own copy of zke's record: every record the store holds for it (revisions, PKI, encryption keys,
// pinned host keys, state), sealed with the payload keyring (AES-256-GCM) and kept on its etcd and control plane
// hosts after each operation. The key is not on the hosts: with the keyring and cluster.yml, `zke recover`
// writes a lost record back from a host's copy (cli/commands/recover.ts).
import type { Keyring } from './keyring.ts';
import { type Sealed, seal, unseal } from './sealed.ts';
import type { ClusterStore } from './store.ts';

/** Where each etcd and control plane host keeps the copy (root, 0600). */
export const STATE_COPY_PATH = '/etc/kubernetes/zke/state.sealed';
const FORMAT = 'zke-state-copy/1';
/** Records of one moment rather than of the cluster: not copied. */
const TRANSIENT = new Set(['last-status']);

export interface StateCopy {
  format: typeof FORMAT;
  cluster: string;
  savedAt: string;
  records: Record<string, unknown>;
}

/** A copy that cannot be used, and why (what to do is in the message). */
export class UnusableStateCopy extends Error {}

export function collectStateCopy(store: ClusterStore, cluster: string, savedAt: string): StateCopy {
  const keys = store.keys(cluster).filter((key) => !TRANSIENT.has(key));
  return {
    format: FORMAT,
    cluster,
    savedAt,
    records: Object.fromEntries(keys.map((k) => [k, store.read(cluster, k)])),
  };
}

export function sealStateCopy(ring: Keyring, copy: StateCopy): string {
  return `${JSON.stringify(seal(ring, JSON.stringify(copy)))}\n`;
}

/** The copy in `text` (read from `where`), opened with the keyring at `keyringFile`. */
export function openStateCopy(ring: Keyring, text: string, where: string, keyringFile: string): StateCopy {
  let sealed: Sealed;
  try {
    sealed = JSON.parse(text) as Sealed;
  } catch {
    throw new UnusableStateCopy(`${where} is not a zke state copy (not JSON)`);
  }
  if (!ring.keys[sealed.keyId])
    throw new UnusableStateCopy(
      `${where} is sealed with payload key "${sealed.keyId}", which the keyring ${keyringFile} lacks: zke recover needs the keyring zke used (its backup, or the secret ZKE_KEYRING names)`,
    );
  let copy: StateCopy;
  try {
    copy = JSON.parse(unseal(ring, sealed)) as StateCopy;
  } catch {
    throw new UnusableStateCopy(
      `${where} does not open with key "${sealed.keyId}" of the keyring ${keyringFile}: another keyring sealed it (zke recover needs the one zke used), or the file is damaged`,
    );
  }
  if (copy.format !== FORMAT) throw new UnusableStateCopy(`${where} is a ${copy.format}, not a ${FORMAT}`);
  return copy;
}

/** Writes every record of the copy; returns their keys. */
export function restoreStateCopy(store: ClusterStore, copy: StateCopy): string[] {
  for (const [key, value] of Object.entries(copy.records)) store.write(copy.cluster, key, value);
  return Object.keys(copy.records);
}
