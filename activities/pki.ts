// Step "certificates": generate or reuse the cluster's certificate bundle; it never leaves the store.
import { certExpiry, generateBundle, isNoop, pkiInputOf } from '../model/pki/index.ts';
import type { CertBundle, CertChange, RotateOptions } from '../model/pki/types.ts';
import { loadSpec, type RevisionRef, store } from './clusterState.ts';

export interface PkiSummary {
  changed: boolean;
  changes: CertChange[];
  expiry: Record<string, string>;
}

export async function ensurePki(input: RevisionRef & { rotate?: RotateOptions }): Promise<PkiSummary> {
  const spec = loadSpec(input);
  const previous = store().read<CertBundle>(input.cluster, 'pki') ?? {};
  const { bundle, changes } = await generateBundle(pkiInputOf(spec, new Date().toISOString()), previous, {
    rotate: input.rotate,
  });
  const changed = !isNoop(changes);
  if (changed) {
    // Keep the bundle this one replaces: a rollback can return to it.
    if (Object.keys(previous).length) store().write(input.cluster, `pki-history/${Date.now()}`, previous);
    store().write(input.cluster, 'pki', bundle);
  }
  const expiry = certExpiry(bundle);
  store().write(input.cluster, 'pki-expiry', expiry);
  return { changed, changes: changes.filter((c) => c.action !== 'kept'), expiry };
}

export function loadBundle(cluster: string): CertBundle {
  const bundle = store().read<CertBundle>(cluster, 'pki');
  if (!bundle) throw new Error(`cluster ${cluster} has no certificates yet (run the certificates step)`);
  return bundle;
}
