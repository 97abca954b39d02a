// Service accounts and RBAC objects, the building blocks every addon's permissions are made of.
import { metadata } from './meta.ts';
import type { KubeObject, PolicyRule, Subject } from './types.ts';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const RBAC_API = `${RBAC_GROUP}/v1`;

export const READ = ['get', 'list', 'watch'] as const;

/** `apiGroup` '' is the core API group. */
export function rule(apiGroup: string, resources: readonly string[], verbs: readonly string[]): PolicyRule {
  return { apiGroups: [apiGroup], resources, verbs };
}

export function accountSubject(name: string, namespace: string): Subject {
  return { kind: 'ServiceAccount', name, namespace };
}

export function userSubject(name: string): Subject {
  return { kind: 'User', name, apiGroup: RBAC_GROUP };
}

export function groupSubject(name: string): Subject {
  return { kind: 'Group', name, apiGroup: RBAC_GROUP };
}

export function serviceAccount(name: string, namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(name, namespace) };
}

export function clusterRole(
  name: string,
  rules: readonly PolicyRule[],
  labels?: Record<string, string>,
): KubeObject {
  return { apiVersion: RBAC_API, kind: 'ClusterRole', metadata: metadata(name, undefined, labels), rules };
}

export function clusterRoleBinding(
  name: string,
  clusterRoleName: string,
  subjects: readonly Subject[],
): KubeObject {
  return {
    apiVersion: RBAC_API,
    kind: 'ClusterRoleBinding',
    metadata: metadata(name),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: clusterRoleName },
    subjects,
  };
}

/** Binds a namespaced Role to subjects in that namespace. */
export function roleBinding(
  name: string,
  namespace: string,
  roleName: string,
  subjects: readonly Subject[],
): KubeObject {
  return {
    apiVersion: RBAC_API,
    kind: 'RoleBinding',
    metadata: metadata(name, namespace),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}

/** A ServiceAccount, a ClusterRole with `rules` and the binding between them, all named `roleName`. */
export function accountWithClusterRole(
  account: string,
  namespace: string,
  rules: readonly PolicyRule[],
  roleName = account,
): KubeObject[] {
  return [
    serviceAccount(account, namespace),
    clusterRole(roleName, rules),
    clusterRoleBinding(roleName, roleName, [accountSubject(account, namespace)]),
  ];
}
