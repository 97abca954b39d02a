// MetalLB: addresses for Services of `type: LoadBalancer` from the spec's pools, announced in layer-2 mode (the
// speaker on one node answers ARP for each address; when that node dies another speaker takes over).
// Configured through MetalLB's CRDs (IPAddressPool, L2Advertisement). Its admission webhook is off
// (`--webhook-mode=disabled`): zke validates the pools itself, and an unready webhook would fail every apply.
import type { ClusterSpec } from '../spec/types.ts';
import { accountSubject, clusterRole, clusterRoleBinding, READ, roleBinding, rule } from './accounts.ts';
import { metadata } from './meta.ts';
import type { KubeObject, PolicyRule } from './types.ts';
import {
  APP_LABEL,
  configMap,
  configMapVolume,
  daemonSet,
  deployment,
  fieldEnv,
  TOLERATE_NO_SCHEDULE_AND_EXECUTE,
} from './workloads.ts';

export const METALLB_NAMESPACE = 'metallb-system';
const GROUP = 'metallb.io';
const API = `${GROUP}/v1beta1`;
const CONTROLLER = 'controller';
const SPEAKER = 'speaker';
const SPEAKER_APP = 'metallb-speaker';
/** Created by the controller at start; the speakers' memberlist (fast dead-node detection) key. */
const MEMBERLIST_SECRET = 'memberlist';
const HEALTH_PORT = 17472;
const ALL = ['*'];
const WRITE = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
/** Interfaces a speaker never answers ARP on: the container, overlay and loopback ones. */
const EXCLUDED_INTERFACES = [
  '^docker.*',
  '^cni.*',
  '^flannel.*',
  '^veth.*',
  '^cbr.*',
  '^lo$',
  '^kube-ipvs.*',
];

/** MetalLB's resources: kind, plural, served versions (the last one stored). The controller watches them all. */
const RESOURCES: readonly (readonly [string, string, readonly string[]])[] = [
  ['BFDProfile', 'bfdprofiles', ['v1beta1']],
  ['BGPAdvertisement', 'bgpadvertisements', ['v1beta1']],
  ['BGPPeer', 'bgppeers', ['v1beta1', 'v1beta2']],
  ['Community', 'communities', ['v1beta1']],
  ['ConfigurationState', 'configurationstates', ['v1beta1']],
  ['IPAddressPool', 'ipaddresspools', ['v1beta1']],
  ['L2Advertisement', 'l2advertisements', ['v1beta1']],
  ['ServiceBGPStatus', 'servicebgpstatuses', ['v1beta1']],
  ['ServiceL2Status', 'servicel2statuses', ['v1beta1']],
];

/** A CRD whose schema keeps any field: MetalLB's own types check the content, zke's validation the pools. */
function crd([kind, plural, versions]: (typeof RESOURCES)[number]): KubeObject {
  const schema = { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: metadata(`${plural}.${GROUP}`),
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: versions.map((name, i) => ({
        name,
        served: true,
        storage: i === versions.length - 1,
        subresources: { status: {} },
        schema,
      })),
    },
  };
}

function namespace(): KubeObject {
  const privileged = Object.fromEntries(
    ['enforce', 'audit', 'warn'].map((mode) => [`pod-security.kubernetes.io/${mode}`, 'privileged']),
  );
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: metadata(METALLB_NAMESPACE, undefined, privileged),
  };
}

const plurals = (...kinds: string[]) => RESOURCES.filter(([kind]) => kinds.includes(kind)).map(([, p]) => p);
const CONFIG_KINDS = [
  'BFDProfile',
  'BGPAdvertisement',
  'BGPPeer',
  'Community',
  'IPAddressPool',
  'L2Advertisement',
];

/** A ServiceAccount with a namespaced Role and a ClusterRole, each bound to it. */
function account(name: string, namespaced: PolicyRule[], clusterWide: PolicyRule[]): KubeObject[] {
  const subject = [accountSubject(name, METALLB_NAMESPACE)];
  const clusterName = `${METALLB_NAMESPACE}:${name}`;
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', rules: namespaced };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(name, METALLB_NAMESPACE) },
    { ...role, metadata: metadata(name, METALLB_NAMESPACE) },
    roleBinding(name, METALLB_NAMESPACE, name, subject),
    clusterRole(clusterName, clusterWide),
    clusterRoleBinding(clusterName, clusterName, subject),
  ];
}

function permissions(): KubeObject[] {
  const common = [rule('', ['pods'], ['get', 'list']), rule(GROUP, plurals(...CONFIG_KINDS), READ)];
  const states = plurals('ConfigurationState');
  const controller = account(
    CONTROLLER,
    [
      ...common,
      rule('', ['secrets', 'configmaps'], WRITE),
      rule('apps', ['deployments'], ['get']),
      rule(GROUP, ['ipaddresspools/status'], ['update']),
    ],
    [
      rule('', ['services', 'namespaces'], READ),
      rule('', ['nodes'], ['list']),
      rule('', ['services/status'], ['update']),
      rule('', ['events'], ['create', 'patch']),
      rule(GROUP, [...states, ...states.map((p) => `${p}/status`)], WRITE),
    ],
  );
  const speakerOwn = plurals('ConfigurationState', 'ServiceL2Status', 'ServiceBGPStatus');
  const speaker = account(
    SPEAKER,
    [...common, rule('', ['secrets', 'configmaps'], READ)],
    [
      rule('', ['services', 'endpoints', 'nodes', 'namespaces'], READ),
      rule('discovery.k8s.io', ['endpointslices'], READ),
      rule('', ['events'], ['create', 'patch']),
      rule(GROUP, [...speakerOwn, ...speakerOwn.map((p) => `${p}/status`)], ALL),
    ],
  );
  return [...controller, ...speaker];
}

/** Common to both containers: metrics off (`--port=0`), health on HEALTH_PORT (the node's, in its network). */
function container(spec: ClusterSpec, name: string, args: string[], hostNetwork: boolean) {
  const probe = (path: string) => ({
    httpGet: { path, port: HEALTH_PORT, ...(hostNetwork ? { host: '127.0.0.1' } : {}) },
    initialDelaySeconds: 10,
    periodSeconds: 10,
  });
  return {
    name,
    image: spec.systemImages.metallb,
    command: [`/${name}`],
    args: ['--port=0', `--health-probe-port=${HEALTH_PORT}`, '--log-level=info', ...args],
    livenessProbe: probe('/healthz'),
    readinessProbe: probe('/readyz'),
  };
}

function controllerDeployment(spec: ClusterSpec): KubeObject {
  return deployment(CONTROLLER, METALLB_NAMESPACE, 'metallb-controller', 1, {
    serviceAccountName: CONTROLLER,
    priorityClassName: 'system-cluster-critical',
    tolerations: TOLERATE_NO_SCHEDULE_AND_EXECUTE,
    securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534 },
    terminationGracePeriodSeconds: 0,
    containers: [
      {
        ...container(spec, CONTROLLER, ['--webhook-mode=disabled'], false),
        env: [
          fieldEnv('METALLB_POD_NAME', 'metadata.name'),
          { name: 'METALLB_ML_SECRET_NAME', value: MEMBERLIST_SECRET },
          { name: 'METALLB_DEPLOYMENT', value: CONTROLLER },
        ],
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
  });
}

/** On every node, in the host's network: it answers ARP for the addresses its node announces. */
function speakerDaemonSet(spec: ClusterSpec): KubeObject {
  return daemonSet(SPEAKER, METALLB_NAMESPACE, SPEAKER_APP, {
    serviceAccountName: SPEAKER,
    priorityClassName: 'system-node-critical',
    hostNetwork: true,
    tolerations: TOLERATE_NO_SCHEDULE_AND_EXECUTE,
    terminationGracePeriodSeconds: 2,
    containers: [
      {
        ...container(spec, SPEAKER, [], true),
        env: [
          fieldEnv('METALLB_NODE_NAME', 'spec.nodeName'),
          fieldEnv('METALLB_POD_NAME', 'metadata.name'),
          fieldEnv('METALLB_ML_BIND_ADDR', 'status.podIP'),
          { name: 'METALLB_ML_LABELS', value: `${APP_LABEL}=${SPEAKER_APP}` },
          { name: 'METALLB_ML_SECRET_KEY_PATH', value: '/etc/ml_secret_key' },
        ],
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { add: ['NET_RAW'], drop: ['ALL'] },
        },
        volumeMounts: [
          { name: 'memberlist', mountPath: '/etc/ml_secret_key', readOnly: true },
          { name: 'excludel2', mountPath: '/etc/metallb', readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: 'memberlist', secret: { secretName: MEMBERLIST_SECRET } },
      configMapVolume('excludel2', 'metallb-excludel2'),
    ],
  });
}

function pools(spec: ClusterSpec): KubeObject[] {
  const { addressPools } = spec.loadBalancer;
  const pool = (name: string, addresses: readonly string[]): KubeObject => ({
    apiVersion: API,
    kind: 'IPAddressPool',
    metadata: metadata(name, METALLB_NAMESPACE),
    spec: { addresses, autoAssign: true },
  });
  const l2: KubeObject = {
    apiVersion: API,
    kind: 'L2Advertisement',
    metadata: metadata('zke-l2', METALLB_NAMESPACE),
    spec: { ipAddressPools: addressPools.map((p) => p.name) },
  };
  return [...addressPools.map((p) => pool(p.name, p.addresses)), l2];
}

export function metallbObjects(spec: ClusterSpec): KubeObject[] {
  const excluded = `announcedInterfacesToExclude: ${JSON.stringify(EXCLUDED_INTERFACES)}\n`;
  return [
    namespace(),
    ...RESOURCES.map(crd),
    ...permissions(),
    configMap('metallb-excludel2', METALLB_NAMESPACE, { 'excludel2.yaml': excluded }),
    controllerDeployment(spec),
    speakerDaemonSet(spec),
    ...pools(spec),
  ];
}

/** One line for the dry-run: "metallb (layer 2): pool-1 10.0.0.200-10.0.0.210". */
export function describeMetallb(spec: ClusterSpec): string {
  const pools = spec.loadBalancer.addressPools.map((p) => `${p.name} ${p.addresses.join(', ')}`);
  return `metallb (layer 2): ${pools.join('; ')}`;
}
