// The images a cluster needs, read off what zke would run: the plan's host containers, the image the container
// runtime gets by flag (the pod sandbox), and the pods of the built-in addons. User addons are the user's own.
import { addonObjects, addonsFor } from './addons/index.ts';
import { buildPlan } from './plan/index.ts';
import { type ParseResult, parseClusterSpec } from './spec/index.ts';
import type { ClusterSpec, RegistrySpec } from './spec/types.ts';

/** Flags by which a host container is told to pull an image itself. */
const IMAGE_FLAGS = ['--pod-infra-container-image='];

const POD_CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

/** Every container image of the pods inside a Kubernetes object, wherever its pod template sits. */
export function podImages(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(podImages);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, field]) => {
    if (!POD_CONTAINER_LISTS.includes(key) || !Array.isArray(field)) return podImages(field);
    return field.flatMap((c: { image?: unknown }) => (typeof c?.image === 'string' ? [c.image] : []));
  });
}

function hostImages(spec: ClusterSpec): string[] {
  return buildPlan(spec).hosts.flatMap((host) =>
    host.containers.flatMap((c) => [
      c.image,
      ...c.command.flatMap((arg) =>
        IMAGE_FLAGS.filter((f) => arg.startsWith(f)).map((f) => arg.slice(f.length)),
      ),
    ]),
  );
}

function addonImages(spec: ClusterSpec): string[] {
  const system = addonsFor(spec).filter((addon) => addon !== 'user');
  return system.flatMap((addon) => podImages(addonObjects(spec, addon)));
}

/** The tools image, pulled on hosts zke logs in to as a user other than root: it does root's work there. */
function rootImages(spec: ClusterSpec): string[] {
  return spec.nodes.some((node) => node.ssh.user !== 'root') ? [spec.systemImages.tools] : [];
}

/** The images `spec` makes zke and its cluster pull, sorted, each once (user addons left out). */
export function clusterImages(spec: ClusterSpec): string[] {
  return [...new Set([...hostImages(spec), ...addonImages(spec), ...rootImages(spec)])].sort();
}

/**
 * A cluster of one etcd, one controlplane and one worker node with every default and the load balancer on: it
 * runs every system container (nginx-proxy runs on nodes without the controlplane role) and every built-in addon
 * (canal: flannel and the NetworkPolicy controller); zke logs in as its default user, not root, so the tools image
 * is pulled too.
 */
export function referenceSpec(kubernetesVersion: string): ParseResult {
  const node = (n: number, role: string) => ({ address: `10.0.0.${n}`, roles: [role] });
  return parseClusterSpec({
    kubernetes_version: kubernetesVersion,
    nodes: [node(1, 'etcd'), node(2, 'controlplane'), node(3, 'worker')],
    network: {
      plugin: 'canal',
      loadbalancer: { provider: 'metallb', address_pools: [{ addresses: ['10.0.0.200/29'] }] },
    },
  });
}

/** `repo[:tag]` split at the tag's colon (not a registry port's); Docker's default tag when none. */
export function splitImage(image: string): { repo: string; tag: string } {
  const at = image.lastIndexOf(':');
  const slash = image.lastIndexOf('/');
  return at > slash ? { repo: image.slice(0, at), tag: image.slice(at + 1) } : { repo: image, tag: 'latest' };
}

/** The registry host an image names (its first part, when that has a '.' or ':' or is localhost). */
export function imageDomain(image: string): string | undefined {
  const [first, ...rest] = image.split('/');
  return rest.length > 0 && (/[.:]/.test(first!) || first === 'localhost') ? first : undefined;
}

/**
 * The private registry whose credentials pull `image`, by RKE's rule (GetImageRegistryConfig): the entry whose
 * url is the image's registry host, followed by its path but the last two parts when the path has more than two
 * (`reg:5000/team/zke/etcd:v1` -> `reg:5000/team`). Images that name no registry host match none here.
 */
export function credentialsFor(image: string, registries: readonly RegistrySpec[]): RegistrySpec | undefined {
  const domain = imageDomain(image);
  if (!domain) return undefined;
  const path = splitImage(image).repo.split('/').slice(1);
  const key = path.length > 2 ? [domain, ...path.slice(0, -2)].join('/') : domain;
  return registries.find((r) => r.url === key && (r.user !== undefined || r.password !== undefined));
}
