// The ingress controller: Traefik (pure Go) on the edge nodes' ports 80/443, serving the Ingresses of class
// `nginx` (the class zke users' Ingresses name), which is also the cluster's default class.
import type { ClusterSpec } from '../spec/types.ts';
import { accountWithClusterRole, READ, rule } from './accounts.ts';
import { metadata, SYSTEM_NAMESPACE } from './meta.ts';
import type { KubeObject } from './types.ts';
import { daemonSet, flagArgs, TOLERATE_NO_SCHEDULE_AND_EXECUTE } from './workloads.ts';

const NAME = 'traefik-ingress-controller';
export const INGRESS_CLASS = 'nginx';
/** The controller name Traefik looks for in IngressClasses. */
export const TRAEFIK_CONTROLLER = 'traefik.io/ingress-controller';
/** Free on every node (ingress-nginx's healthz port); 8080, Traefik's default, often is not. */
const PING_PORT = 10254;

function args(spec: ClusterSpec): string[] {
  const defaults = {
    'entryPoints.web.address': ':80',
    'entryPoints.websecure.address': ':443',
    'entryPoints.websecure.http.tls': 'true',
    'entryPoints.ping.address': `:${PING_PORT}`,
    ping: 'true',
    'ping.entryPoint': 'ping',
    'providers.kubernetesingress': 'true',
    'providers.kubernetesingress.ingressclass': INGRESS_CLASS,
    'global.checknewversion': 'false',
    'global.sendanonymoususage': 'false',
  };
  return flagArgs(defaults, spec.ingress.extraArgs);
}

function container(spec: ClusterSpec) {
  const probe = { httpGet: { path: '/ping', port: PING_PORT }, periodSeconds: 10 };
  return {
    name: 'traefik',
    image: spec.systemImages.ingress,
    args: args(spec),
    ports: [
      { name: 'web', containerPort: 80, hostPort: 80, protocol: 'TCP' },
      { name: 'websecure', containerPort: 443, hostPort: 443, protocol: 'TCP' },
    ],
    livenessProbe: { ...probe, initialDelaySeconds: 10 },
    readinessProbe: probe,
    securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } },
  };
}

function ingressClass(): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      ...metadata(INGRESS_CLASS),
      annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
    },
    spec: { controller: TRAEFIK_CONTROLLER },
  };
}

export function ingressObjects(spec: ClusterSpec): KubeObject[] {
  const rules = [
    rule('', ['services', 'secrets', 'nodes'], READ),
    rule('discovery.k8s.io', ['endpointslices'], READ),
    rule('networking.k8s.io', ['ingresses', 'ingressclasses'], READ),
    rule('networking.k8s.io', ['ingresses/status'], ['update']),
  ];
  return [
    ...accountWithClusterRole(NAME, SYSTEM_NAMESPACE, rules),
    ingressClass(),
    daemonSet(NAME, SYSTEM_NAMESPACE, NAME, {
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      priorityClassName: 'system-node-critical',
      serviceAccountName: NAME,
      nodeSelector: spec.ingress.nodeSelector,
      tolerations: TOLERATE_NO_SCHEDULE_AND_EXECUTE,
      containers: [container(spec)],
    }),
  ];
}
