// A lab cluster in RKE's own container layout, for the adoption test. zke provisions it (its certificates,
// keys and kubeconfigs have RKE's names and paths under /etc/kubernetes/ssl), then every container of every host
// is re-created as RKE's cluster/plan.go builds it: RKE's names, flags, binds, env, labels, `service-sidekick`
// lending /opt/rke-tools, etcd's data at /var/lib/rancher/etcd/ (the host's /var/lib/etcd). zke's own files go.
// Lab stand-ins, as the lab has no rke-tools image: the sidekick's entrypoint.sh runs the program it names, and
// for the kubelet with RKE_KUBELET_CRIDOCKERD=true also cri-dockerd beside it (with the flags zke ran it with);
// the flags RKE reads from its metadata (service options per version) are the version table's defaults; RKE's
// etcd-rolling-snapshots (rke-tools' etcd-backup) is not laid out.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { etcdCertName } from '../../model/pki/catalog.ts';
import type { ClusterSpec, NodeSpec } from '../../model/spec/types.ts';
import { type FlagContainer, findVersion } from '../../model/versions.ts';
import { labExec } from '../support/lab.ts';

const SSL = '/etc/kubernetes/ssl';
const cert = (name: string) => `${SSL}/${name}.pem`;
const key = (name: string) => `${SSL}/${name}-key.pem`;
const kubecfg = (name: string) => `${SSL}/kubecfg-${name}.yaml`;
const ENTRYPOINT = '/opt/rke-tools/entrypoint.sh';
const SIDEKICK = 'service-sidekick';
const CRI_SOCKET = '/var/run/cri-dockerd.sock';
export const RKE_LABEL = 'io.rancher.rke.container.name';
/** The admission configuration RKE writes for the apiserver (here with no plugin configured). */
const ADMISSION_FILE = '/etc/kubernetes/admission.yaml';
const ADMISSION = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n';

interface RkeContainer {
  name: string;
  image: string;
  /** RKE's Command (the container's entrypoint); undefined: the image's. */
  entrypoint?: string[];
  args: string[];
  env: string[];
  binds: string[];
  sidekick: boolean;
  hostPid?: boolean;
  privileged?: boolean;
}

interface Layout {
  spec: ClusterSpec;
  node: NodeSpec;
  /** Docker's root directory on the host (the kubelet binds it). */
  dockerRoot: string;
  arch: string;
}

const flags = (args: Record<string, string>) =>
  Object.keys(args)
    .sort()
    .map((k) => `--${k}=${args[k]}`);

/** plan.go's args < the service options (metadata; here the version table) < the spec's extra_args. */
function serviceFlags(
  l: Layout,
  name: FlagContainer,
  planArgs: Record<string, string>,
  extra: Record<string, string> = {},
) {
  const defaults = findVersion(l.spec.kubernetesVersion)?.defaultFlags[name] ?? {};
  return flags({ ...planArgs, ...defaults, ...extra });
}

const rkeTools = (l: Layout, name: string, args: string[], c: Partial<RkeContainer> = {}): RkeContainer => ({
  name,
  image: l.spec.systemImages.kubernetes,
  entrypoint: [ENTRYPOINT, name],
  args,
  env: [],
  binds: ['/etc/kubernetes:/etc/kubernetes'],
  sidekick: true,
  ...c,
});

function etcd(l: Layout): RkeContainer {
  const { node, spec } = l;
  const listen = node.address === node.internalAddress ? '0.0.0.0' : node.internalAddress;
  const peers = spec.nodes.filter((n) => n.roles.includes('etcd'));
  const name = etcdCertName(node);
  const args = serviceFlags(l, 'etcd', {
    name: `etcd-${node.name}`,
    'data-dir': '/var/lib/rancher/etcd/',
    'listen-client-urls': `https://${listen}:2379`,
    'initial-advertise-peer-urls': `https://${node.internalAddress}:2380`,
    'listen-peer-urls': `https://${listen}:2380`,
    'initial-cluster-token': 'etcd-cluster-1',
    'initial-cluster': peers.map((n) => `etcd-${n.name}=https://${n.internalAddress}:2380`).join(','),
    'initial-cluster-state': 'new',
    'trusted-ca-file': cert('kube-ca'),
    'peer-trusted-ca-file': cert('kube-ca'),
    'cert-file': cert(name),
    'key-file': key(name),
    'peer-cert-file': cert(name),
    'peer-key-file': key(name),
    'advertise-client-urls': `https://${node.internalAddress}:2379`,
    'cipher-suites': 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  });
  const endpoint = listen === '0.0.0.0' ? '127.0.0.1' : listen;
  return {
    name: 'etcd',
    image: spec.systemImages.etcd,
    args: ['/usr/local/bin/etcd', ...args],
    env: [
      'ETCDCTL_API=3',
      `ETCDCTL_CACERT=${cert('kube-ca')}`,
      `ETCDCTL_CERT=${cert(name)}`,
      `ETCDCTL_KEY=${key(name)}`,
      `ETCDCTL_ENDPOINTS=https://${endpoint}:2379`,
      `ETCD_UNSUPPORTED_ARCH=${l.arch}`,
    ],
    binds: ['/var/lib/etcd:/var/lib/rancher/etcd/', '/etc/kubernetes:/etc/kubernetes'],
    sidekick: false,
  };
}

/** kube-apiserver (no cloud provider: its empty --cloud-provider is left out). */
function apiserver(l: Layout): RkeContainer {
  const { spec, node } = l;
  const etcds = spec.nodes.filter((n) => n.roles.includes('etcd'));
  const args = serviceFlags(
    l,
    'kube-apiserver',
    {
      'admission-control-config-file': ADMISSION_FILE,
      'client-ca-file': cert('kube-ca'),
      'etcd-cafile': cert('kube-ca'),
      'etcd-certfile': cert('kube-node'),
      'etcd-keyfile': key('kube-node'),
      'etcd-prefix': '/registry',
      'etcd-servers': etcds.map((n) => `https://${n.internalAddress}:2379`).join(','),
      'kubelet-client-certificate': cert('kube-apiserver'),
      'kubelet-client-key': key('kube-apiserver'),
      'proxy-client-cert-file': cert('kube-apiserver-proxy-client'),
      'proxy-client-key-file': key('kube-apiserver-proxy-client'),
      'requestheader-allowed-names': 'kube-apiserver-proxy-client',
      'requestheader-client-ca-file': cert('kube-apiserver-requestheader-ca'),
      'service-account-key-file': key('kube-service-account-token'),
      'service-cluster-ip-range': spec.network.serviceCidr,
      'service-node-port-range': spec.services['kube-api'].serviceNodePortRange,
      'tls-cert-file': cert('kube-apiserver'),
      'tls-private-key-file': key('kube-apiserver'),
      'authorization-mode': 'Node,RBAC',
      'advertise-address': node.internalAddress,
      // RKE's service options for v1.21+ (rancher/kontainer-driver-metadata rke/k8s_service_options.go):
      // the pods' tokens carry issuer "rke" and audience "unknown"
      'service-account-issuer': 'rke',
      'api-audiences': 'unknown',
      'service-account-signing-key-file': key('kube-service-account-token'),
    },
    spec.services['kube-api'].extraArgs,
  );
  const sum = createHash('md5').update(ADMISSION).digest('hex');
  return rkeTools(l, 'kube-apiserver', args, { env: [`RKE_ADMISSION_CONFIG_CHECKSUM=${sum}`] });
}

function controllerManager(l: Layout): RkeContainer {
  const { spec } = l;
  const config = kubecfg('kube-controller-manager');
  const args = serviceFlags(l, 'kube-controller-manager', {
    'cluster-cidr': spec.network.podCidr,
    kubeconfig: config,
    'root-ca-file': cert('kube-ca'),
    'service-account-private-key-file': key('kube-service-account-token'),
    'service-cluster-ip-range': spec.network.serviceCidr,
    'authentication-kubeconfig': config,
    'authorization-kubeconfig': config,
  });
  return rkeTools(l, 'kube-controller-manager', [...args, '--use-service-account-credentials=true']);
}

function scheduler(l: Layout): RkeContainer {
  const config = kubecfg('kube-scheduler');
  const args = serviceFlags(l, 'kube-scheduler', {
    kubeconfig: config,
    'authentication-kubeconfig': config,
    'authorization-kubeconfig': config,
  });
  return rkeTools(l, 'kube-scheduler', args);
}

function kubelet(l: Layout): RkeContainer {
  const { spec, node } = l;
  const controlOnly = node.roles.includes('controlplane') && !node.roles.includes('worker');
  const args = serviceFlags(
    l,
    'kubelet',
    {
      'client-ca-file': cert('kube-ca'),
      'cluster-dns': spec.network.dnsServiceIp,
      'cluster-domain': spec.network.clusterDomain,
      'fail-swap-on': String(spec.services.kubelet.failSwapOn),
      'hostname-override': node.name,
      kubeconfig: kubecfg('kube-node'),
      'pod-infra-container-image': spec.systemImages.pod_infra_container,
      'root-dir': '/var/lib/kubelet',
      ...(controlOnly
        ? { 'register-with-taints': 'node-role.kubernetes.io/controlplane=true:NoSchedule' }
        : {}),
      ...(node.address !== node.internalAddress ? { 'node-ip': node.internalAddress } : {}),
      'container-runtime-endpoint': `unix://${CRI_SOCKET}`,
    },
    spec.services.kubelet.extraArgs,
  );
  return rkeTools(l, 'kubelet', args, {
    binds: [
      '/var/lib/cri-dockerd:/var/lib/cri-dockerd',
      '/etc/kubernetes:/etc/kubernetes',
      '/etc/cni:/etc/cni:rw',
      '/opt/cni:/opt/cni:rw',
      '/var/lib/cni:/var/lib/cni',
      '/var/lib/calico:/var/lib/calico',
      '/etc/resolv.conf:/etc/resolv.conf',
      '/sys:/sys:rprivate',
      `${l.dockerRoot}:${l.dockerRoot}:rw,rslave`,
      '/var/lib/kubelet:/var/lib/kubelet:shared',
      '/var/lib/rancher:/var/lib/rancher:shared',
      '/var/run:/var/run:rw,rprivate',
      '/run:/run:rprivate',
      '/etc/ceph:/etc/ceph',
      '/dev:/host/dev:rprivate',
      '/var/log/containers:/var/log/containers',
      '/var/log/pods:/var/log/pods',
      '/usr:/host/usr:ro',
      '/etc:/host/etc:ro',
    ],
    env: ['RKE_KUBELET_CRIDOCKERD=true'],
    hostPid: true,
    privileged: true,
  });
}

function kubeProxy(l: Layout): RkeContainer {
  const { spec, node } = l;
  const args = serviceFlags(
    l,
    'kube-proxy',
    {
      'cluster-cidr': spec.network.podCidr,
      'hostname-override': node.name,
      kubeconfig: kubecfg('kube-proxy'),
    },
    spec.services.kubeproxy.extraArgs,
  );
  return rkeTools(l, 'kube-proxy', args, {
    binds: ['/etc/kubernetes:/etc/kubernetes', '/run:/run', '/lib/modules:/lib/modules:ro'],
    hostPid: true,
    privileged: true,
  });
}

function nginxProxy(l: Layout): RkeContainer {
  const hosts = l.spec.nodes.filter((n) => n.roles.includes('controlplane')).map((n) => n.internalAddress);
  const env = [`CP_HOSTS=${hosts.join(',')}`];
  return {
    name: 'nginx-proxy',
    image: l.spec.systemImages.nginx_proxy,
    entrypoint: ['nginx-proxy'],
    args: env,
    env,
    binds: [],
    sidekick: false,
  };
}

/** The host's containers in RKE's plan order: etcd, control plane, then the worker's. */
export function rkeHostContainers(l: Layout): RkeContainer[] {
  const roles = l.node.roles;
  return [
    ...(roles.includes('etcd') ? [etcd(l)] : []),
    ...(roles.includes('controlplane') ? [apiserver(l), controllerManager(l), scheduler(l)] : []),
    ...(roles.includes('controlplane') ? [] : [nginxProxy(l)]),
    kubelet(l),
    kubeProxy(l),
  ];
}

/** `docker run` of an RKE container (a multi-word entrypoint: its first word, the rest before the args). */
function dockerRun(c: RkeContainer): string[] {
  const [entry, ...entryRest] = c.entrypoint ?? [];
  return [
    'docker',
    'run',
    '-d',
    '--name',
    c.name,
    '--label',
    `${RKE_LABEL}=${c.name}`,
    '--network',
    'host',
    '--restart',
    'always',
    ...(c.hostPid ? ['--pid', 'host'] : []),
    ...(c.privileged ? ['--privileged'] : []),
    ...(c.sidekick ? ['--volumes-from', SIDEKICK] : []),
    ...c.binds.flatMap((b) => ['-v', b]),
    ...c.env.flatMap((e) => ['-e', e]),
    ...(entry ? ['--entrypoint', entry] : []),
    c.image,
    ...entryRest,
    ...c.args,
  ];
}

async function sh(host: string, script: string, input?: string): Promise<string> {
  const out = await labExec(host, ['sh', '-c', script], input);
  assert.equal(out.code, 0, `${host}: ${script}: ${out.stderr}`);
  return out.stdout.trim();
}

/** The stand-in for rke-tools' entrypoint.sh: the kubelet starts once cri-dockerd (zke's flags) listens. */
function entrypointScript(criDockerdArgs: string[]): string {
  const quoted = criDockerdArgs.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return [
    '#!/bin/sh',
    'if [ "$1" = kubelet ] && [ "$RKE_KUBELET_CRIDOCKERD" = true ]; then',
    `  rm -f ${CRI_SOCKET}`,
    `  /opt/rke-tools/cri-dockerd ${quoted} &`,
    `  for _ in $(seq 1 150); do [ -S ${CRI_SOCKET} ] && break; sleep 0.2; done`,
    'fi',
    'exec "$@"',
    '',
  ].join('\n');
}

/** service-sidekick (created, never started, as RKE does) with /opt/rke-tools filled. */
async function sidekick(host: string, spec: ClusterSpec): Promise<void> {
  const args = JSON.parse(await sh(host, "docker inspect -f '{{json .Args}}' cri-dockerd")) as string[];
  await sh(
    host,
    [
      `docker create --name ${SIDEKICK} --label ${RKE_LABEL}=${SIDEKICK} --network none -v /opt/rke-tools`,
      `--entrypoint /bin/bash ${spec.systemImages.tools}`,
    ].join(' '),
  );
  await sh(
    host,
    `docker run --rm -i --volumes-from ${SIDEKICK} --entrypoint /bin/sh ${spec.systemImages.cri_dockerd} -c ` +
      `'cp /usr/local/bin/cri-dockerd /opt/rke-tools/ && cat > ${ENTRYPOINT} && chmod 755 ${ENTRYPOINT}'`,
    entrypointScript(args.filter((a) => a.startsWith('--'))),
  );
}

/** Re-creates one host's containers in RKE's layout; the pods' containers keep running. */
async function layOutHost(spec: ClusterSpec, node: NodeSpec): Promise<void> {
  const host = node.name;
  const dockerRoot = await sh(host, "docker info -f '{{.DockerRootDir}}'");
  const arch = await sh(host, 'uname -m');
  await sidekick(host, spec);
  await sh(host, `cat > ${ADMISSION_FILE}`, ADMISSION);
  await sh(
    host,
    'rm -rf /etc/kubernetes/zke && docker rm -f etcd-rolling-snapshots cri-dockerd >/dev/null 2>&1; true',
  );
  for (const c of rkeHostContainers({ spec, node, dockerRoot, arch })) {
    await sh(host, `docker rm -f ${c.name} >/dev/null`);
    const out = await labExec(host, dockerRun(c));
    assert.equal(out.code, 0, `${host}: docker run ${c.name}: ${out.stderr}`);
  }
}

/** Every host of a running zke-built cluster re-laid as RKE lays it out (etcd hosts first). */
export async function layOutAsRke(spec: ClusterSpec): Promise<void> {
  const order = [...spec.nodes].sort(
    (a, b) => Number(b.roles.includes('etcd')) - Number(a.roles.includes('etcd')),
  );
  for (const node of order) await layOutHost(spec, node);
}

/** The host's containers RKE's label names, sorted. */
export async function rkeContainerNames(host: string): Promise<string[]> {
  const out = await sh(host, `docker ps -a --filter label=${RKE_LABEL} --format '{{.Names}}'`);
  return out.split('\n').filter(Boolean).sort();
}
