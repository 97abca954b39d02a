// The cluster addons as data: which apply to a spec, in order, and the Kubernetes objects each is made of.
// Pure: the workflows decide when to apply them; activities talk to the API.
import { DEFAULTS } from '../spec/defaults.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { corednsObjects } from './coredns.ts';
import { flannelObjects } from './flannel.ts';
import { ingressObjects } from './ingress.ts';
import { labelled } from './meta.ts';
import { describeMetallb, metallbObjects } from './metallb.ts';
import { metricsServerObjects } from './metricsServer.ts';
import { networkPolicyObjects } from './networkPolicy.ts';
import { PRUNED_ADDONS, staleObjects } from './prune.ts';
import { rbacObjects } from './rbac.ts';
import { ADDON_ORDER, type AddonName, type KubeObject } from './types.ts';
import { parseUserAddons } from './user.ts';

export { corednsReplicas, corefile } from './coredns.ts';
export { addonFingerprint, canonicalJson } from './fingerprint.ts';
export { FLANNEL_CONFLIST, flannelNetConf } from './flannel.ts';
export { INGRESS_CLASS, TRAEFIK_CONTROLLER } from './ingress.ts';
export { ADDON_LABEL, SYSTEM_NAMESPACE } from './meta.ts';
export { describeMetallb, METALLB_NAMESPACE } from './metallb.ts';
export { JOB_DEPLOYER, KUBE_APISERVER_USER } from './rbac.ts';
export * from './types.ts';
export { parseUserAddons, type UserAddons } from './user.ts';

const ENABLED: Readonly<Record<AddonName, (spec: ClusterSpec) => boolean>> = {
  rbac: () => true,
  network: (spec) => spec.network.plugin !== 'none',
  coredns: (spec) => spec.dns.provider !== 'none',
  'metrics-server': (spec) => spec.monitoring.provider !== 'none',
  ingress: (spec) => spec.ingress.provider !== 'none',
  // revisions stored before the load balancer existed have no `loadBalancer`
  metallb: (spec) => spec.loadBalancer?.provider === 'metallb',
  user: (spec) => (spec.addons ?? '').trim() !== '',
};

/** The addons `spec` asks for, in application order (`rbac` always, first). */
export function addonsFor(spec: ClusterSpec): AddonName[] {
  return ADDON_ORDER.filter((addon) => ENABLED[addon](spec));
}

/** The addons `spec` asks for, one line each: the name, and for the load balancer its mode and pools. */
export function describeAddons(spec: ClusterSpec): string[] {
  return addonsFor(spec).map((addon) => (addon === 'metallb' ? describeMetallb(spec) : addon));
}

/** The ingress nodes: the spec's selector, or zke's edge nodes when a hand-made spec has none. */
function withIngressSelector(spec: ClusterSpec): ClusterSpec {
  if (Object.keys(spec.ingress.nodeSelector).length > 0) return spec;
  return { ...spec, ingress: { ...spec.ingress, nodeSelector: DEFAULTS.ingressNodeSelector } };
}

/** Throws when the inline addons are not a stream of Kubernetes objects (validate first with parseUserAddons). */
function userObjects(spec: ClusterSpec): KubeObject[] {
  const { objects, problems } = parseUserAddons(spec.addons ?? '');
  if (problems.length > 0) throw new Error(`addons: ${problems.join('; ')}`);
  return objects;
}

const BUILDERS: Readonly<Record<AddonName, (spec: ClusterSpec) => KubeObject[]>> = {
  rbac: rbacObjects,
  network: (spec) => [...flannelObjects(spec), ...networkPolicyObjects(spec)],
  coredns: corednsObjects,
  'metrics-server': metricsServerObjects,
  ingress: (spec) => ingressObjects(withIngressSelector(spec)),
  metallb: metallbObjects,
  user: userObjects,
};

/**
 * The objects of one addon, each labelled `io.zke.addon=<addon>`, in the order to apply them. Built whether or
 * not the spec enables the addon (a disabled addon's objects are what to delete).
 */
export function addonObjects(spec: ClusterSpec, addon: AddonName): KubeObject[] {
  return BUILDERS[addon](spec).map((object) => labelled(addon, object));
}

/**
 * What applying `after` over the applied `before` deletes from `addon` (model/addons/prune.ts), in deletion
 * order; always empty for addons zke does not prune.
 */
export function prunedObjects(before: ClusterSpec, after: ClusterSpec, addon: AddonName): KubeObject[] {
  if (!PRUNED_ADDONS.includes(addon)) return [];
  const side = (spec: ClusterSpec) => ({ spec, enabled: ENABLED[addon](spec) });
  return staleObjects((spec) => addonObjects(spec, addon), side(before), side(after));
}

/** The addons with objects to delete when `after` replaces the applied `before`. */
export function addonsToPrune(before: ClusterSpec, after: ClusterSpec): AddonName[] {
  return PRUNED_ADDONS.filter((addon) => prunedObjects(before, after, addon).length > 0);
}
