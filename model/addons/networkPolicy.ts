// canal's NetworkPolicy enforcer: kube-router's policy controller alone (no routing, no service proxy; flannel
// carries the pods' traffic and kube-proxy the Services'), as a DaemonSet on every node flannel runs on. It
// keeps each node's iptables and ipsets in step with the NetworkPolicies of the pods on that node.
import type { ClusterSpec } from '../spec/types.ts';
import { accountWithClusterRole, READ, rule } from './accounts.ts';
import { networkAgentPod } from './flannel.ts';
import { SYSTEM_NAMESPACE } from './meta.ts';
import type { KubeObject } from './types.ts';
import { daemonSet, fieldEnv, flagArgs, hostPathVolume } from './workloads.ts';

const NAME = 'kube-router';
const HEALTH_PORT = 20244;

/** kube-router watches these whatever it runs (its informers start together), and the policies it enforces. */
const RULES = [
  rule('', ['pods', 'namespaces', 'nodes', 'services', 'endpoints'], READ),
  rule('discovery.k8s.io', ['endpointslices'], READ),
  rule('networking.k8s.io', ['networkpolicies'], READ),
];

function args(spec: ClusterSpec): string[] {
  return flagArgs({
    'run-firewall': 'true',
    'run-router': 'false',
    'run-service-proxy': 'false',
    'enable-cni': 'false',
    'service-cluster-ip-range': spec.network.serviceCidr,
    'service-node-port-range': spec.services['kube-api'].serviceNodePortRange,
    'health-port': String(HEALTH_PORT),
  });
}

function policyController(spec: ClusterSpec) {
  return {
    name: NAME,
    image: spec.systemImages.network_policy,
    args: args(spec),
    // iptables and ipsets of the host's network namespace
    securityContext: { privileged: true },
    env: [fieldEnv('NODE_NAME', 'spec.nodeName')],
    resources: { requests: { cpu: '50m', memory: '50Mi' } },
    livenessProbe: {
      httpGet: { path: '/healthz', port: HEALTH_PORT },
      initialDelaySeconds: 10,
      periodSeconds: 10,
    },
    volumeMounts: [{ name: 'xtables-lock', mountPath: '/run/xtables.lock' }],
  };
}

/** The policy controller's account, role and DaemonSet; only canal has them. */
export function networkPolicyObjects(spec: ClusterSpec): KubeObject[] {
  if (spec.network.plugin !== 'canal') return [];
  return [
    ...accountWithClusterRole(NAME, SYSTEM_NAMESPACE, RULES),
    daemonSet(
      NAME,
      SYSTEM_NAMESPACE,
      NAME,
      {
        ...networkAgentPod(spec.network, NAME),
        containers: [policyController(spec)],
        volumes: [hostPathVolume('xtables-lock', '/run/xtables.lock', 'FileOrCreate')],
      },
      spec.network.placement?.updateStrategy,
    ),
  ];
}
