// Object metadata and the label every addon object carries, so a disabled addon's objects can be found.
import type { AddonName, KubeMetadata, KubeObject } from './types.ts';

export const ADDON_LABEL = 'io.zke.addon';
export const SYSTEM_NAMESPACE = 'kube-system';

export function metadata(name: string, namespace?: string, labels?: Record<string, string>): KubeMetadata {
  return { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) };
}

/** A copy of `object` with `io.zke.addon=<addon>` added to its labels (its other labels kept). */
export function labelled(addon: AddonName, object: KubeObject): KubeObject {
  const labels = { ...object.metadata.labels, [ADDON_LABEL]: addon };
  return { ...object, metadata: { ...object.metadata, labels } };
}
