// CoreDNS: the cluster's DNS at network.dnsServiceIp (Service `kube-dns`), forwarding other names upstream.
import type { ClusterSpec } from '../spec/types.ts';
import { accountWithClusterRole, rule } from './accounts.ts';
import { SYSTEM_NAMESPACE } from './meta.ts';
import type { KubeObject } from './types.ts';
import {
  CRITICAL_ADDONS_ONLY,
  configMap,
  configMapVolume,
  deployment,
  service,
  spreadOverNodes,
} from './workloads.ts';

const NAME = 'coredns';
/** The Service name and pod label every Kubernetes distribution uses for the cluster DNS. */
const DNS_APP = 'kube-dns';
const ACCOUNT = 'coredns';
const CONFIG_DIR = '/etc/coredns';
const HEALTH_PORT = 8080;
const READY_PORT = 8181;
const METRICS_PORT = 9153;

/**
 * Without upstream nameservers CoreDNS forwards to its pod's /etc/resolv.conf, which (dnsPolicy Default) is the
 * node's. CoreDNS 1.14 skips a resolv.conf without nameservers but then refuses to start for want of any
 * upstream; when the node's file is empty Docker gives the pod its default public servers instead, so the
 * cluster names still resolve where nothing can leave the network (other names time out, which `loop` ignores).
 */
function upstreams(spec: ClusterSpec): string {
  const given = spec.dns.upstreamNameservers;
  return given.length > 0 ? given.join(' ') : '/etc/resolv.conf';
}

/** The zones the `kubernetes` plugin answers: the cluster domain, then the reverse zones. */
function kubernetesZones(spec: ClusterSpec): string {
  const reverse = spec.dns.reverseCidrs.length > 0 ? spec.dns.reverseCidrs : ['in-addr.arpa', 'ip6.arpa'];
  return [spec.network.clusterDomain, ...reverse].join(' ');
}

/** RKE's `stubdomains`: a server block per domain, forwarding it to its own name servers. */
function stubDomains(spec: ClusterSpec): string[] {
  return Object.entries(spec.dns.stubDomains ?? {}).flatMap(([domain, servers]) => [
    `${domain}:53 {`,
    '    errors',
    '    cache 30',
    '    loop',
    `    forward . ${servers.join(' ')}`,
    '}',
  ]);
}

export function corefile(spec: ClusterSpec): string {
  return [
    ...stubDomains(spec),
    '.:53 {',
    '    errors',
    '    health {',
    '        lameduck 5s',
    '    }',
    '    ready',
    `    kubernetes ${kubernetesZones(spec)} {`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 30',
    '    }',
    `    prometheus :${METRICS_PORT}`,
    `    forward . ${upstreams(spec)} {`,
    '        max_concurrent 1000',
    '    }',
    '    cache 30',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

/** Two replicas spread over the workers, one when there is a single worker. */
export function corednsReplicas(spec: ClusterSpec): number {
  const workers = spec.nodes.filter((node) => node.roles.includes('worker')).length;
  return workers > 1 ? 2 : 1;
}

function container(spec: ClusterSpec) {
  const probe = (path: string, port: number) => ({
    httpGet: { path, port, scheme: 'HTTP' },
    periodSeconds: 10,
  });
  return {
    name: NAME,
    image: spec.systemImages.coredns,
    args: ['-conf', `${CONFIG_DIR}/Corefile`],
    ports: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
    ],
    resources: { requests: { cpu: '100m', memory: '70Mi' }, limits: { memory: '170Mi' } },
    livenessProbe: { ...probe('/health', HEALTH_PORT), initialDelaySeconds: 60, failureThreshold: 5 },
    readinessProbe: probe('/ready', READY_PORT),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
    },
    volumeMounts: [{ name: 'config-volume', mountPath: CONFIG_DIR, readOnly: true }],
  };
}

function dnsService(spec: ClusterSpec): KubeObject {
  return service(DNS_APP, SYSTEM_NAMESPACE, DNS_APP, {
    clusterIP: spec.network.dnsServiceIp,
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: METRICS_PORT, protocol: 'TCP' },
    ],
  });
}

export function corednsObjects(spec: ClusterSpec): KubeObject[] {
  const rules = [
    rule('', ['endpoints', 'services', 'pods', 'namespaces'], ['list', 'watch']),
    rule('discovery.k8s.io', ['endpointslices'], ['list', 'watch']),
  ];
  return [
    ...accountWithClusterRole(ACCOUNT, SYSTEM_NAMESPACE, rules, 'system:coredns'),
    configMap(NAME, SYSTEM_NAMESPACE, { Corefile: corefile(spec) }),
    deployment(
      NAME,
      SYSTEM_NAMESPACE,
      DNS_APP,
      corednsReplicas(spec),
      {
        priorityClassName: spec.dns.priorityClassName ?? 'system-cluster-critical',
        serviceAccountName: ACCOUNT,
        dnsPolicy: 'Default',
        tolerations: spec.dns.placement?.tolerations ?? CRITICAL_ADDONS_ONLY,
        ...(Object.keys(spec.dns.nodeSelector).length > 0 ? { nodeSelector: spec.dns.nodeSelector } : {}),
        affinity: spreadOverNodes(DNS_APP),
        containers: [container(spec)],
        volumes: [configMapVolume('config-volume', NAME)],
      },
      spec.dns.placement?.updateStrategy,
    ),
    dnsService(spec),
  ];
}
