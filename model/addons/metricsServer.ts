// metrics-server: node and pod metrics (`kubectl top`, HPA) through the aggregated API v1beta1.metrics.k8s.io.
import type { ClusterSpec } from '../spec/types.ts';
import {
  accountSubject,
  accountWithClusterRole,
  clusterRole,
  clusterRoleBinding,
  READ,
  roleBinding,
  rule,
} from './accounts.ts';
import { metadata, SYSTEM_NAMESPACE } from './meta.ts';
import type { KubeObject } from './types.ts';
import { CRITICAL_ADDONS_ONLY, deployment, flagArgs, service } from './workloads.ts';

const NAME = 'metrics-server';
/** Not the upstream 10250: that is the kubelet's port, taken whenever the pod shares the host network. */
const SECURE_PORT = 4443;
const API_VERSION = 'v1beta1';
const API_GROUP = 'metrics.k8s.io';

/** kube-ca, as kube-controller-manager publishes it in every namespace. */
const CLUSTER_CA = {
  volume: 'cluster-ca',
  dir: '/etc/cluster-ca',
  configMap: 'kube-root-ca.crt',
  key: 'ca.crt',
};

/** With generate_serving_certificate kubelets serve certificates kube-ca signed: verified; else self-signed ones. */
function kubeletTls(spec: ClusterSpec): Record<string, string> {
  return verifiesKubelets(spec)
    ? { 'kubelet-certificate-authority': `${CLUSTER_CA.dir}/${CLUSTER_CA.key}` }
    : { 'kubelet-insecure-tls': 'true' };
}

function args(spec: ClusterSpec): string[] {
  const defaults = {
    'cert-dir': '/tmp',
    'secure-port': String(SECURE_PORT),
    ...kubeletTls(spec),
    'kubelet-preferred-address-types': 'InternalIP',
    'kubelet-use-node-status-port': 'true',
    'metric-resolution': '15s',
  };
  return flagArgs(defaults, spec.monitoring.options);
}

function container(spec: ClusterSpec) {
  const probe = (path: string) => ({
    httpGet: { path, port: 'https', scheme: 'HTTPS' },
    periodSeconds: 10,
    failureThreshold: 3,
  });
  return {
    name: NAME,
    image: spec.systemImages.metrics_server,
    args: args(spec),
    ports: [{ name: 'https', containerPort: SECURE_PORT, protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '200Mi' } },
    readinessProbe: { ...probe('/readyz'), initialDelaySeconds: 20 },
    livenessProbe: probe('/livez'),
    securityContext: {
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'tmp-dir', mountPath: '/tmp' },
      ...(verifiesKubelets(spec)
        ? [{ name: CLUSTER_CA.volume, mountPath: CLUSTER_CA.dir, readOnly: true }]
        : []),
    ],
  };
}

const verifiesKubelets = (spec: ClusterSpec) => spec.services.kubelet.generateServingCertificate;

function volumes(spec: ClusterSpec) {
  const ca = {
    name: CLUSTER_CA.volume,
    configMap: { name: CLUSTER_CA.configMap, items: [{ key: CLUSTER_CA.key, path: CLUSTER_CA.key }] },
  };
  return [{ name: 'tmp-dir', emptyDir: {} }, ...(verifiesKubelets(spec) ? [ca] : [])];
}

function permissions(): KubeObject[] {
  const subject = [accountSubject(NAME, SYSTEM_NAMESPACE)];
  const aggregateToUsers = Object.fromEntries(
    ['view', 'edit', 'admin'].map((role) => [`rbac.authorization.k8s.io/aggregate-to-${role}`, 'true']),
  );
  return [
    ...accountWithClusterRole(
      NAME,
      SYSTEM_NAMESPACE,
      [rule('', ['nodes/metrics'], ['get']), rule('', ['pods', 'nodes'], READ)],
      `system:${NAME}`,
    ),
    clusterRole(
      'system:aggregated-metrics-reader',
      [rule(API_GROUP, ['pods', 'nodes'], READ)],
      aggregateToUsers,
    ),
    clusterRoleBinding(`${NAME}:system:auth-delegator`, 'system:auth-delegator', subject),
    roleBinding(
      `${NAME}-auth-reader`,
      SYSTEM_NAMESPACE,
      'extension-apiserver-authentication-reader',
      subject,
    ),
  ];
}

function apiService(): KubeObject {
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: metadata(`${API_VERSION}.${API_GROUP}`),
    spec: {
      service: { name: NAME, namespace: SYSTEM_NAMESPACE },
      group: API_GROUP,
      version: API_VERSION,
      insecureSkipTLSVerify: true,
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  };
}

export function metricsServerObjects(spec: ClusterSpec): KubeObject[] {
  const { monitoring } = spec;
  const placement = monitoring.placement;
  return [
    ...permissions(),
    deployment(
      NAME,
      SYSTEM_NAMESPACE,
      NAME,
      monitoring.replicas ?? 1,
      {
        priorityClassName: monitoring.priorityClassName ?? 'system-cluster-critical',
        serviceAccountName: NAME,
        tolerations: placement?.tolerations ?? CRITICAL_ADDONS_ONLY,
        ...(placement?.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
        containers: [container(spec)],
        volumes: volumes(spec),
      },
      placement?.updateStrategy,
    ),
    service(NAME, SYSTEM_NAMESPACE, NAME, {
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' }],
    }),
    apiService(),
  ];
}
