// A normalized 3-node ClusterSpec for the addon tests (test/unit/addons*.test.ts), built by hand so the tests
// depend on the ClusterSpec shape only, not on the spec parser.
import type { AddonName, KubeObject } from '../../model/addons/index.ts';
import { DEFAULT_AUDIT_LOG } from '../../model/spec/normalize-hardening.ts';
import type { ClusterSpec, NodeSpec, Role, ServiceOptions } from '../../model/spec/types.ts';
import { IMAGE_KEYS, KUBERNETES_VERSIONS, type SystemImages } from '../../model/versions.ts';

const NO_OPTIONS: ServiceOptions = { extraArgs: {}, extraBinds: [], extraEnv: [] };

/** The version table's images behind a private registry, so a test can tell they come from the spec. */
function registryImages(): SystemImages {
  const images = KUBERNETES_VERSIONS.at(-1)!.images;
  return Object.fromEntries(
    IMAGE_KEYS.map((key) => [key, `registry.test:5000/${images[key]}`]),
  ) as SystemImages;
}

export function node(name: string, address: string, roles: Role[]): NodeSpec {
  return {
    name,
    address,
    internalAddress: address,
    roles,
    ssh: { user: 'zcloud', port: 22, keyPath: '~/.ssh/id_rsa' },
    dockerSocket: '/var/run/docker.sock',
    labels: {},
    taints: [],
  };
}

/** cp1 is etcd + controlplane; w1 and w2 are workers, w2 also edge. Every provider on, with its default. */
export function threeNodeSpec(): ClusterSpec {
  return {
    clusterName: 'demo',
    kubernetesVersion: KUBERNETES_VERSIONS.at(-1)!.version,
    nodes: [
      node('cp1', '10.0.0.1', ['etcd', 'controlplane']),
      node('w1', '10.0.0.2', ['worker']),
      node('w2', '10.0.0.3', ['worker', 'edge']),
    ],
    services: {
      etcd: {
        ...NO_OPTIONS,
        snapshot: { enabled: true, creation: '12h', retention: '72h' },
        backupTimeoutSeconds: 600,
      },
      'kube-api': {
        ...NO_OPTIONS,
        serviceNodePortRange: '30000-32767',
        alwaysPullImages: false,
        secretsEncryption: { enabled: false },
        auditLog: DEFAULT_AUDIT_LOG,
        eventRateLimit: { enabled: false },
      },
      'kube-controller': NO_OPTIONS,
      scheduler: NO_OPTIONS,
      kubelet: { ...NO_OPTIONS, failSwapOn: false, generateServingCertificate: false },
      kubeproxy: NO_OPTIONS,
    },
    network: {
      plugin: 'flannel',
      options: { flannel_backend_type: 'vxlan' },
      podCidr: '10.42.0.0/16',
      serviceCidr: '10.43.0.0/16',
      clusterDomain: 'cluster.local',
      dnsServiceIp: '10.43.0.10',
      kubernetesServiceIp: '10.43.0.1',
    },
    dns: { provider: 'coredns', upstreamNameservers: [], reverseCidrs: [], nodeSelector: {} },
    ingress: {
      provider: 'nginx',
      options: {},
      nodeSelector: { 'node-role.kubernetes.io/edge': 'true' },
      extraArgs: {},
    },
    monitoring: { provider: 'metrics-server', options: {} },
    loadBalancer: { provider: 'none', mode: 'l2', addressPools: [] },
    authentication: { strategy: 'x509', sans: [] },
    authorization: { mode: 'rbac' },
    privateRegistries: [],
    systemImages: registryImages(),
    upgradeStrategy: {
      maxUnavailableWorker: '10%',
      maxUnavailableControlplane: '1',
      drain: false,
      nodeDrainInput: {
        force: false,
        ignoreDaemonsets: true,
        deleteLocalData: false,
        gracePeriod: -1,
        timeout: 120,
      },
    },
    addonsInclude: [],
    prefixPath: '/',
    ignoreDockerVersion: false,
    disablePortCheck: false,
    maxParallelHosts: 50,
    certValidityDays: 3650,
    certKeyAlgorithm: 'RSA-2048',
    sourceFormat: 'zke',
  };
}

/** threeNodeSpec with the load balancer on: MetalLB with two pools. */
export function withMetallb(spec = threeNodeSpec()): ClusterSpec {
  const addressPools = [
    { name: 'web', addresses: ['10.0.0.200-10.0.0.210'] },
    { name: 'extra', addresses: ['10.0.1.0/28'] },
  ];
  return { ...spec, loadBalancer: { provider: 'metallb', mode: 'l2', addressPools } };
}

/** The one object of `kind` named `name` (fails the test when there is not exactly one). */
export function find(objects: readonly KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1)
    throw new Error(`${found.length} ${kind}/${name} in [${objects.map(describe).join(', ')}]`);
  return found[0]!;
}

export function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** Reads a nested field by path (`spec.template.spec.containers`), as a test would with jq. */
export function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

export type { AddonName };
