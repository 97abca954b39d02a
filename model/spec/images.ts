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
import type { RegistrySpec } from './types.ts';

function withRegistry(registry: string | undefined, image: string): string {
  return registry ? `${registry}/${image}` : image;
}

function imageKey(ctx: SpecContext, path: string, key: string): ImageKey | undefined {
  const canonical = IMAGE_KEY_ALIASES[key] ?? key;
  if ((IMAGE_KEYS as readonly string[]).includes(canonical)) return canonical as ImageKey;
  ctx.warn(path, `unknown image key "${key}" (ignored; known: ${IMAGE_KEYS.join(', ')})`);
  return undefined;
}

/** zke's `image` and RKE's `system_images`, keyed by canonical image key; conflicting values are errors. */
function overrides(ctx: SpecContext, raw: RawCluster): Partial<Record<ImageKey, string>> {
  const out: Partial<Record<ImageKey, string>> = {};
  const from: Partial<Record<ImageKey, string>> = {};
  for (const [root, map] of [
    ['image', raw.image],
    ['system_images', raw.system_images],
  ] as const) {
    for (const [key, image] of Object.entries(map ?? {})) {
      const path = `${root}.${key}`;
      const canonical = imageKey(ctx, path, key);
      const problem = imageRef(image);
      if (problem) ctx.error(path, problem);
      if (!canonical || problem) continue;
      if (out[canonical] !== undefined && out[canonical] !== image) {
        ctx.error(path, `conflicts with ${from[canonical]} ("${image}" vs "${out[canonical]}")`);
      }
      out[canonical] ??= image;
      from[canonical] ??= path;
    }
  }
  return out;
}

export function resolveImages(
  ctx: SpecContext,
  raw: RawCluster,
  version: KubernetesVersion,
  registries: readonly RegistrySpec[],
): SystemImages {
  const registry = registries.find((r) => r.isDefault)?.url;
  const given = overrides(ctx, raw);
  const entries = IMAGE_KEYS.map(
    (key) => [key, given[key] ?? withRegistry(registry, version.images[key])] as const,
  );
  return Object.fromEntries(entries) as Record<ImageKey, string>;
}
