// Step "certificates": generate or reuse the cluster's certificate bundle and its secrets encryption key;
// neither ever leaves the store (activities return summaries, so no workflow history holds them).
import { randomBytes } from 'node:crypto';
import { ENCRYPTION_KEYS_RECORD, readEncryptionKeys } from '../common/stateExport.ts';
import { certExpiry, generateBundle, isNoop, pkiInputOf } from '../model/pki/index.ts';
import type { CertBundle, CertChange, RotateOptions } from '../model/pki/types.ts';
import type { EncryptionKey, TextSecrets } from '../model/plan/index.ts';
import type { ClusterSpec } from '../model/spec/types.ts';
import { loadSpec, type RevisionRef, store } from './clusterState.ts';
import { now } from './deps.ts';

export interface PkiSummary {
  changed: boolean;
  changes: CertChange[];
  expiry: Record<string, string>;
}

export async function ensurePki(input: RevisionRef & { rotate?: RotateOptions }): Promise<PkiSummary> {
  const spec = loadSpec(input);
  const previous = store().read<CertBundle>(input.cluster, 'pki') ?? {};
  const { bundle, changes } = await generateBundle(pkiInputOf(spec, now().toISOString()), previous, {
    rotate: input.rotate,
  });
  const changed = !isNoop(changes);
  if (changed) {
    // Keep the bundle this one replaces: a rollback can return to it.
    if (Object.keys(previous).length)
      store().write(input.cluster, `pki-history/${now().getTime()}`, previous);
    store().write(input.cluster, 'pki', bundle);
  }
  const expiry = certExpiry(bundle);
  store().write(input.cluster, 'pki-expiry', expiry);
  ensureEncryptionKey(input.cluster, spec);
  return { changed, changes: changes.filter((c) => c.action !== 'kept'), expiry };
}

export function loadBundle(cluster: string): CertBundle {
  const bundle = store().read<CertBundle>(cluster, 'pki');
  if (!bundle) throw new Error(`cluster ${cluster} has no certificates yet (run the certificates step)`);
  return bundle;
}

/** zke's secrets encryption key, made once when the spec asks for encryption without its own config. */
function ensureEncryptionKey(cluster: string, spec: ClusterSpec): void {
  const { enabled, customConfig } = spec.services['kube-api'].secretsEncryption;
  if (!enabled || customConfig || encryptionKeys(cluster).length) return;
  const key: EncryptionKey = { name: `zke-${now().getTime()}`, secret: randomBytes(32).toString('base64') };
  store().write(cluster, ENCRYPTION_KEYS_RECORD, { keys: [key] });
}

function encryptionKeys(cluster: string): EncryptionKey[] {
  return readEncryptionKeys(store(), cluster);
}

/** What the plan's text files need besides the spec (activities only: it holds keys). */
export function textSecrets(cluster: string): TextSecrets {
  return { encryptionKeys: encryptionKeys(cluster) };
}
