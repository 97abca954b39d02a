// flannel (VXLAN with DirectRouting forced on as zke does, or host-gw when asked) as a DaemonSet on every node, with its CNI plugin and
// conflist installed into the host's /opt/cni/bin and /etc/cni/net.d by init containers.
import type { ClusterSpec, NetworkSpec } from '../spec/types.ts';
import { accountWithClusterRole, READ, rule } from './accounts.ts';
import { SYSTEM_NAMESPACE } from './meta.ts';
import type { KubeObject } from './types.ts';
import {
  configMap,
  configMapVolume,
  daemonSet,
  fieldEnv,
  flagArgs,
  hostPathVolume,
  TOLERATE_EVERYTHING,
} from './workloads.ts';

const NAME = 'kube-flannel';
const ACCOUNT = 'flannel';
const CONFIG = 'kube-flannel-cfg';
const CONFIG_DIR = '/etc/kube-flannel/';
const HEALTHZ_PORT = 8081;
/** The conflist cri-dockerd reads from the host's CNI config directory. */
export const FLANNEL_CONFLIST = '10-flannel.conflist';

function backend(network: NetworkSpec): Record<string, unknown> {
  if (!usesVxlan(network)) return { Type: network.options.flannel_backend_type };
  const vni = network.options.flannel_backend_vni;
  const port = network.options.flannel_backend_port;
  return {
    Type: 'vxlan',
    DirectRouting: true,
    ...(vni ? { VNI: Number(vni) } : {}),
    ...(port ? { Port: Number(port) } : {}),
    ...(network.mtu ? { MTU: network.mtu } : {}),
  };
}

/** Whether flannel's backend is VXLAN (the default; `flannel_backend_type: host-gw` routes without it). */
export function usesVxlan(network: NetworkSpec): boolean {
  return (network.options.flannel_backend_type ?? 'vxlan') === 'vxlan';
}

/** flanneld's network config: the pod CIDR it carves node subnets from, and the backend. */
export function flannelNetConf(network: NetworkSpec): string {
  return JSON.stringify(
    { Network: network.podCidr, EnableNFTables: false, Backend: backend(network) },
    null,
    2,
  );
}

/** The CNI conflist: the flannel plugin (delegating to bridge) and portmap for hostPort. */
function cniConf(): string {
  const plugins = [
    { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ];
  return JSON.stringify({ name: 'cbr0', cniVersion: '0.3.1', plugins }, null, 2);
}

function flanneldArgs(network: NetworkSpec): string[] {
  return flagArgs({
    'ip-masq': 'true',
    'kube-subnet-mgr': 'true',
    'healthz-port': String(HEALTHZ_PORT),
    ...(network.iface ? { iface: network.iface } : {}),
  });
}

function initContainers(spec: ClusterSpec) {
  return [
    {
      name: 'install-cni-plugin',
      image: spec.systemImages.flannel_cni,
      volumeMounts: [{ name: 'cni-plugin', mountPath: '/opt/cni/bin' }],
    },
    {
      name: 'install-cni',
      image: spec.systemImages.flannel,
      command: ['cp'],
      args: ['-f', `${CONFIG_DIR}cni-conf.json`, `/etc/cni/net.d/${FLANNEL_CONFLIST}`],
      volumeMounts: [
        { name: 'cni', mountPath: '/etc/cni/net.d' },
        { name: 'flannel-cfg', mountPath: CONFIG_DIR },
      ],
    },
  ];
}

function flanneld(spec: ClusterSpec) {
  const probe = (path: string) => ({ httpGet: { path, port: HEALTHZ_PORT }, periodSeconds: 10 });
  return {
    name: NAME,
    image: spec.systemImages.flannel,
    args: flanneldArgs(spec.network),
    securityContext: { privileged: true },
    env: [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
    resources: { requests: { cpu: '100m', memory: '50Mi' } },
    livenessProbe: { ...probe('/healthz'), initialDelaySeconds: 10 },
    readinessProbe: probe('/readyz'),
    volumeMounts: [
      { name: 'run', mountPath: '/run/flannel' },
      { name: 'flannel-cfg', mountPath: CONFIG_DIR },
      { name: 'xtables-lock', mountPath: '/run/xtables.lock' },
    ],
  };
}

/** Where the network's node agents run (every node unless the spec narrows it) and as whom. */
export function networkAgentPod(network: NetworkSpec, account: string) {
  const { placement } = network;
  return {
    hostNetwork: true,
    priorityClassName: network.priorityClassName ?? 'system-node-critical',
    serviceAccountName: account,
    tolerations: placement?.tolerations ?? TOLERATE_EVERYTHING,
    ...(placement?.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
  };
}

export function flannelObjects(spec: ClusterSpec): KubeObject[] {
  const rules = [
    rule('', ['pods'], ['get']),
    rule('', ['nodes'], READ),
    rule('', ['nodes/status'], ['patch']),
  ];
  return [
    ...accountWithClusterRole(ACCOUNT, SYSTEM_NAMESPACE, rules),
    configMap(CONFIG, SYSTEM_NAMESPACE, {
      'cni-conf.json': cniConf(),
      'net-conf.json': flannelNetConf(spec.network),
    }),
    daemonSet(
      NAME,
      SYSTEM_NAMESPACE,
      'flannel',
      {
        ...networkAgentPod(spec.network, ACCOUNT),
        initContainers: initContainers(spec),
        containers: [flanneld(spec)],
        volumes: [
          hostPathVolume('run', '/run/flannel'),
          hostPathVolume('cni-plugin', '/opt/cni/bin'),
          hostPathVolume('cni', '/etc/cni/net.d'),
          configMapVolume('flannel-cfg', CONFIG),
          hostPathVolume('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
        ],
      },
      spec.network.placement?.updateStrategy,
    ),
  ];
}
