// System images: the version table, prefixed by the default private registry, then the spec's overrides.
// RKE's air-gap rule (setClusterImageDefaults): the URL of the first `is_default` registry is put before every
// image of the table, always; an image the user names in `system_images` (or zke's `image`) is used as written.
import {
  IMAGE_KEY_ALIASES,
  IMAGE_KEYS,
  type ImageKey,
  type KubernetesVersion,
  type SystemImages,
} from '../versions.ts';
import type { SpecContext } from './context.ts';
import type { RawCluster } from './raw-schema.ts';
import { imageRef } from './rules.ts';
import type { NetworkPlugin, RegistrySpec } from './types.ts';

function withRegistry(registry: string | undefined, image: string): string {
  return registry ? `${registry}/${image}` : image;
}

/** RKE's canal images of Calico's parts: zke's canal enforces NetworkPolicy with kube-router instead. */
const CANAL_CALICO = ['canal_node', 'canal_cni', 'canal_controllers', 'canal_flexvol'];

/** The image key `key` overrides; RKE's `canal_flannel` is flannel's image when the plugin is canal. */
function imageKey(ctx: SpecContext, path: string, key: string, plugin: NetworkPlugin): ImageKey | undefined {
  const canonical =
    key === 'canal_flannel' && plugin === 'canal' ? 'flannel' : (IMAGE_KEY_ALIASES[key] ?? key);
  if ((IMAGE_KEYS as readonly string[]).includes(canonical)) return canonical as ImageKey;
  ctx.warn(
    path,
    CANAL_CALICO.includes(key)
      ? "no effect: zke's canal runs no Calico, kube-router enforces NetworkPolicy (image network_policy)"
      : 'no effect: zke runs no component that uses this image',
  );
  return undefined;
}

/** RKE's own builds (what `rke config` writes into system_images): zke runs its own build of each component. */
const RKE_IMAGE = /^([^/]+[.:][^/]*\/)?rancher\//;

/** Overrides as [path, image key, image]: zke's `image`, RKE's `system_images`, then RKE's per-service `image`. */
function givenImages(raw: RawCluster): [string, string, string | Record<string, string>][] {
  const maps = [
    ['image', raw.image],
    ['system_images', raw.system_images],
  ] as const;
  const fromMaps = maps.flatMap(([root, map]) =>
    Object.entries(map ?? {}).map(
      ([key, image]) => [`${root}.${key}`, key, image] as [string, string, string],
    ),
  );
  const root = raw.core ? 'core' : 'services';
  const services = raw.core ?? raw.services ?? {};
  const fromServices = Object.entries(services).flatMap(([name, service]) => {
    const key = name === 'etcd' ? 'etcd' : 'kubernetes';
    const image = service?.image === undefined ? [] : [[`${root}.${name}.image`, key, service.image]];
    const infra = name === 'kubelet' ? services.kubelet?.infra_container_image : undefined;
    const pause =
      infra === undefined ? [] : [[`${root}.kubelet.infra_container_image`, 'pod_infra_container', infra]];
    return [...image, ...pause] as [string, string, string][];
  });
  return [...fromMaps, ...fromServices];
}

/** Every image override by canonical image key; conflicting values are errors. */
function overrides(
  ctx: SpecContext,
  raw: RawCluster,
  plugin: NetworkPlugin,
): Partial<Record<ImageKey, string>> {
  const out: Partial<Record<ImageKey, string>> = {};
  const from: Partial<Record<ImageKey, string>> = {};
  for (const [path, key, image] of givenImages(raw)) {
    const canonical = imageKey(ctx, path, key, plugin);
    if (!canonical || typeof image !== 'string') continue;
    if (ctx.format === 'rke' && RKE_IMAGE.test(image)) {
      ctx.warn(path, `no effect: ${image} is RKE's build; zke runs its own (zke images list)`);
      continue;
    }
    const problem = imageRef(image);
    if (problem) ctx.error(path, problem);
    if (problem) continue;
    if (out[canonical] !== undefined && out[canonical] !== image) {
      ctx.error(path, `conflicts with ${from[canonical]} ("${image}" vs "${out[canonical]}")`);
    }
    out[canonical] ??= image;
    from[canonical] ??= path;
  }
  return out;
}

export function resolveImages(
  ctx: SpecContext,
  raw: RawCluster,
  version: KubernetesVersion,
  registries: readonly RegistrySpec[],
  plugin: NetworkPlugin,
): SystemImages {
  const registry = registries.find((r) => r.isDefault)?.url;
  const given = overrides(ctx, raw, plugin);
  const entries = IMAGE_KEYS.map(
    (key) => [key, given[key] ?? withRegistry(registry, version.images[key])] as const,
  );
  return Object.fromEntries(entries) as Record<ImageKey, string>;
}
