// Workload objects (DaemonSet, Deployment, Service, ConfigMap) and the pod-spec pieces they share.
import { metadata } from './meta.ts';
import type { KubeObject, PodSpec } from './types.ts';

/** The pod label a workload selects its pods by. */
export const APP_LABEL = 'k8s-app';

/** Runs on every node whatever its taints (the network must reach etcd and controlplane nodes too). */
export const TOLERATE_EVERYTHING = [{ operator: 'Exists' }] as const;

/** Schedules onto tainted role nodes (controlplane NoSchedule, etcd NoExecute) when a selector asks. */
export const TOLERATE_NO_SCHEDULE_AND_EXECUTE = [
  { operator: 'Exists', effect: 'NoSchedule' },
  { operator: 'Exists', effect: 'NoExecute' },
] as const;

export const CRITICAL_ADDONS_ONLY = [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] as const;

/**
 * `--key=value` flags: `defaults` in order, a key also in `overrides` takes the override's value, then the
 * overrides' new keys in their order.
 */
export function flagArgs(
  defaults: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string>> = {},
): string[] {
  return Object.entries({ ...defaults, ...overrides }).map(([key, value]) => `--${key}=${value}`);
}

/** An env var read from the pod's own fields (`metadata.name`, `spec.nodeName` ...). */
export function fieldEnv(name: string, fieldPath: string) {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

export function hostPathVolume(name: string, path: string, type?: string) {
  return { name, hostPath: { path, ...(type ? { type } : {}) } };
}

export function configMapVolume(name: string, configMapName: string) {
  return { name, configMap: { name: configMapName } };
}

export function configMap(
  name: string,
  namespace: string,
  data: Readonly<Record<string, string>>,
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(name, namespace), data };
}

/** A Service in front of the pods labelled `app`. */
export function service(
  name: string,
  namespace: string,
  app: string,
  spec: Readonly<Record<string, unknown>>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(name, namespace, { [APP_LABEL]: app }),
    spec: { selector: { [APP_LABEL]: app }, ...spec },
  };
}

const ONE_AT_A_TIME = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } };

function podTemplate(app: string, pod: PodSpec) {
  return { metadata: { labels: { [APP_LABEL]: app } }, spec: pod };
}

/** A DaemonSet; one pod at a time is replaced unless `updateStrategy` (the spec's) says otherwise. */
export function daemonSet(
  name: string,
  namespace: string,
  app: string,
  pod: PodSpec,
  updateStrategy: Readonly<Record<string, unknown>> = ONE_AT_A_TIME,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: metadata(name, namespace, { [APP_LABEL]: app }),
    spec: {
      selector: { matchLabels: { [APP_LABEL]: app } },
      updateStrategy,
      template: podTemplate(app, pod),
    },
  };
}

/** A Deployment; one pod at a time is replaced unless `strategy` (the spec's) says otherwise. */
export function deployment(
  name: string,
  namespace: string,
  app: string,
  replicas: number,
  pod: PodSpec,
  strategy: Readonly<Record<string, unknown>> = ONE_AT_A_TIME,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name, namespace, { [APP_LABEL]: app }),
    spec: {
      replicas,
      selector: { matchLabels: { [APP_LABEL]: app } },
      strategy,
      template: podTemplate(app, pod),
    },
  };
}

/** Spreads a Deployment's replicas over nodes when it can. */
export function spreadOverNodes(app: string) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: { [APP_LABEL]: app } },
            topologyKey: 'kubernetes.io/hostname',
          },
        },
      ],
    },
  };
}
