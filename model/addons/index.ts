// The cluster addons as data: which apply to a spec, in order, and the Kubernetes objects each is made of.
// Pure: the workflows decide when to apply them; activities talk to the API.
import { DEFAULTS } from '../spec/defaults.ts';
import type { ClusterSpec } from '../spec/types.ts';
import { corednsObjects } from './coredns.ts';
import { flannelObjects } from './flannel.ts';
import { ingressObjects } from './ingress.ts';
import { labelled } from './meta.ts';
import { metricsServerObjects } from './metricsServer.ts';
import { rbacObjects } from './rbac.ts';
import { ADDON_ORDER, type AddonName, type KubeObject } from './types.ts';
import { parseUserAddons } from './user.ts';

export { corednsReplicas, corefile } from './coredns.ts';
export { addonFingerprint, canonicalJson } from './fingerprint.ts';
export { FLANNEL_CONFLIST, flannelNetConf } from './flannel.ts';
export { INGRESS_CLASS, TRAEFIK_CONTROLLER } from './ingress.ts';
export { ADDON_LABEL, SYSTEM_NAMESPACE } from './meta.ts';
export { JOB_DEPLOYER, KUBE_APISERVER_USER } from './rbac.ts';
export * from './types.ts';
export { parseUserAddons, type UserAddons } from './user.ts';

const ENABLED: Readonly<Record<AddonName, (spec: ClusterSpec) => boolean>> = {
  rbac: () => true,
  network: (spec) => spec.network.plugin !== 'none',
  coredns: (spec) => spec.dns.provider !== 'none',
  'metrics-server': (spec) => spec.monitoring.provider !== 'none',
  ingress: (spec) => spec.ingress.provider !== 'none',
  user: (spec) => (spec.addons ?? '').trim() !== '',
};

/** The addons `spec` asks for, in application order (`rbac` always, first). */
export function addonsFor(spec: ClusterSpec): AddonName[] {
  return ADDON_ORDER.filter((addon) => ENABLED[addon](spec));
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
  network: flannelObjects,
  coredns: corednsObjects,
  'metrics-server': metricsServerObjects,
  ingress: (spec) => ingressObjects(withIngressSelector(spec)),
  user: userObjects,
};

/**
 * The objects of one addon, each labelled `io.zke.addon=<addon>`, in the order to apply them. Built whether or
 * not the spec enables the addon (a disabled addon's objects are what to delete).
 */
export function addonObjects(spec: ClusterSpec, addon: AddonName): KubeObject[] {
  return BUILDERS[addon](spec).map((object) => labelled(addon, object));
}
