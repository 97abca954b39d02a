// What to delete when a spec changes: the objects an addon had under the applied spec that the new spec no
// longer renders (all of them when it disables the addon, a pool taken out otherwise). As RKE removes the
// ingress controller, the metrics server and a DNS provider turned off; the network plugin and the RBAC
// objects stay (taking the CNI away from running pods is a rebuild, not an upgrade). The user's addons lose
// each object no longer in `addons` or `addons_include` (RKE deletes them only all at once, when both are empty).
import type { ClusterSpec } from '../spec/types.ts';
import type { AddonName, KubeObject } from './types.ts';

export const PRUNED_ADDONS: readonly AddonName[] = [
  'coredns',
  'metrics-server',
  'ingress',
  'metallb',
  'user',
];

/**
 * Group (not version), kind, namespace and name: the same object across API versions. No namespace and
 * `default` are one (a namespaced object without one lands in `default`; a kind is either namespaced or not).
 */
function identity(object: KubeObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  const namespace = object.metadata.namespace === 'default' ? '' : (object.metadata.namespace ?? '');
  return [group, object.kind, namespace, object.metadata.name].join('/');
}

/**
 * The objects of `addon` rendered for `before` (empty when it was off) that `after` does not have (all of them
 * when it is off), in deletion order: the reverse of the apply order, so the namespace goes last.
 */
export function staleObjects(
  objects: (spec: ClusterSpec) => KubeObject[],
  before: { spec: ClusterSpec; enabled: boolean },
  after: { spec: ClusterSpec; enabled: boolean },
): KubeObject[] {
  if (!before.enabled) return [];
  const kept = new Set(after.enabled ? objects(after.spec).map(identity) : []);
  return objects(before.spec)
    .filter((object) => !kept.has(identity(object)))
    .reverse();
}
