// RKE's placement settings of an addon (node_selector, tolerations, update_strategy) -> AddonPlacement.
import { stringMap } from './normalize-nodes.ts';
import type { RawCluster } from './raw-schema.ts';
import type { AddonPlacement, KubeFragment } from './types.ts';

type RawPlacement = Pick<
  NonNullable<RawCluster['monitoring']>,
  'node_selector' | 'tolerations' | 'update_strategy'
>;

/** The entries whose value is set. */
export function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** RKE writes Kubernetes' `tolerationSeconds` in lower case (its YAML reader lower-cases untagged fields). */
export function toleration(given: KubeFragment): KubeFragment {
  const { tolerationseconds, ...rest } = given;
  return tolerationseconds === undefined ? rest : { ...rest, tolerationSeconds: tolerationseconds };
}

/** RKE's `{strategy, rollingUpdate}` is Kubernetes' `{type, rollingUpdate}`. */
export function kubeUpdateStrategy(given: RawPlacement['update_strategy']): KubeFragment | undefined {
  if (!given) return undefined;
  const { strategy, rollingUpdate } = given;
  return { ...(strategy ? { type: strategy } : {}), ...(rollingUpdate ? { rollingUpdate } : {}) };
}

/** The placement given, or undefined when the block sets none of it. */
export function placementOf(
  given: RawPlacement | undefined,
  withSelector = true,
): AddonPlacement | undefined {
  if (!given) return undefined;
  const placement = {
    nodeSelector: withSelector && given.node_selector ? stringMap(given.node_selector) : undefined,
    tolerations: given.tolerations?.map(toleration),
    updateStrategy: kubeUpdateStrategy(given.update_strategy),
  };
  const set = Object.entries(placement).filter(([, v]) => v !== undefined);
  return set.length > 0 ? (Object.fromEntries(set) as AddonPlacement) : undefined;
}
