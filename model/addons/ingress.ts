// The ingress controller: Traefik (pure Go), serving the cluster's default IngressClass: `nginx` (the class RKE's
// and zke's users' Ingresses name) or, with `provider: traefik`, `traefik`. It listens on the nodes' ports 80/443
// (RKE's `http_port`/`https_port`) on the host network, as hostPorts of its pod, or not on the host at all.
import type { ClusterSpec, IngressSpec } from '../spec/types.ts';
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

/** The IngressClass the controller serves: the provider's name. */
export function ingressClassName(ingress: IngressSpec): string {
  return ingress.provider === 'traefik' ? 'traefik' : INGRESS_CLASS;
}

/** Host ports, and the ports Traefik listens on: the host's own on the host network, else 80/443 in its pod. */
function ports(ingress: IngressSpec) {
  const mode = ingress.networkMode ?? 'hostNetwork';
  const host = { web: ingress.httpPort ?? 80, websecure: ingress.httpsPort ?? 443 };
  const listen = mode === 'hostNetwork' ? host : { web: 80, websecure: 443 };
  return { mode, host, listen };
}

function args(spec: ClusterSpec): string[] {
  const { listen } = ports(spec.ingress);
  const defaults = {
    'entryPoints.web.address': `:${listen.web}`,
    'entryPoints.websecure.address': `:${listen.websecure}`,
    'entryPoints.websecure.http.tls': 'true',
    'entryPoints.ping.address': `:${PING_PORT}`,
    ping: 'true',
    'ping.entryPoint': 'ping',
    'providers.kubernetesingress': 'true',
    'providers.kubernetesingress.ingressclass': ingressClassName(spec.ingress),
    'global.checknewversion': 'false',
    'global.sendanonymoususage': 'false',
  };
  return flagArgs(defaults, spec.ingress.extraArgs);
}

function containerPorts(ingress: IngressSpec) {
  const { mode, host, listen } = ports(ingress);
  return (['web', 'websecure'] as const).map((name) => ({
    name,
    containerPort: listen[name],
    ...(mode === 'none' ? {} : { hostPort: host[name] }),
    protocol: 'TCP',
  }));
}

function container(spec: ClusterSpec) {
  const { ingress } = spec;
  const probe = { httpGet: { path: '/ping', port: PING_PORT }, periodSeconds: 10 };
  return {
    name: 'traefik',
    image: spec.systemImages.ingress,
    args: args(spec),
    ports: containerPorts(ingress),
    ...(ingress.extraEnvs?.length ? { env: ingress.extraEnvs } : {}),
    ...(ingress.extraVolumeMounts?.length ? { volumeMounts: ingress.extraVolumeMounts } : {}),
    livenessProbe: { ...probe, initialDelaySeconds: 10 },
    readinessProbe: probe,
    securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } },
  };
}

function ingressClass(ingress: IngressSpec): KubeObject {
  const isDefault = ingress.defaultIngressClass ?? true;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      ...metadata(ingressClassName(ingress)),
      annotations: { 'ingressclass.kubernetes.io/is-default-class': String(isDefault) },
    },
    spec: { controller: TRAEFIK_CONTROLLER },
  };
}

function podSpec(spec: ClusterSpec) {
  const { ingress } = spec;
  const hostNetwork = ports(ingress).mode === 'hostNetwork';
  return {
    hostNetwork,
    dnsPolicy: ingress.dnsPolicy ?? (hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst'),
    priorityClassName: ingress.priorityClassName ?? 'system-node-critical',
    serviceAccountName: NAME,
    nodeSelector: ingress.nodeSelector,
    tolerations: ingress.tolerations ?? TOLERATE_NO_SCHEDULE_AND_EXECUTE,
    ...(ingress.extraVolumes?.length ? { volumes: ingress.extraVolumes } : {}),
    containers: [container(spec)],
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
    ingressClass(spec.ingress),
    daemonSet(NAME, SYSTEM_NAMESPACE, NAME, podSpec(spec), spec.ingress.updateStrategy),
  ];
}
