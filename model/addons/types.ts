// Shapes of the Kubernetes objects the addons are made of: plain JSON data, applied through the API.

/** In application order: `rbac` goes first, before the worker plane; the rest once the nodes are up. */
export const ADDON_ORDER = [
  'rbac',
  'network',
  'coredns',
  'metrics-server',
  'ingress',
  'metallb',
  'user',
] as const;
export type AddonName = (typeof ADDON_ORDER)[number];

export interface KubeMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [field: string]: unknown;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubeMetadata;
  readonly [field: string]: unknown;
}

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

export type Subject =
  | { readonly kind: 'ServiceAccount'; readonly name: string; readonly namespace: string }
  | {
      readonly kind: 'User' | 'Group';
      readonly name: string;
      readonly apiGroup: 'rbac.authorization.k8s.io';
    };

/** A pod spec as the API takes it; the builders only fill the common parts. */
export type PodSpec = Readonly<Record<string, unknown>>;
