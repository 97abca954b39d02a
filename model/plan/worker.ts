// Worker plane on every host (§2.4 on Kubernetes ≥1.24 with Docker): nginx-proxy where no apiserver runs,
// cri-dockerd (the CRI endpoint in front of the host's Docker), kubelet and kube-proxy.
import { kubeletCertName } from '../pki/catalog.ts';
import { certsBind, container, type HostContext, serviceContainer } from './container.ts';
import { CA_CERT } from './etcd.ts';
import { roleTaints, taintFlag } from './node-meta.ts';
import { CRI_DOCKERD_SOCKET, certFile, keyFile, kubeconfigFile } from './paths.ts';
import type { PlannedContainer } from './types.ts';

const LOG_BINDS = ['/var/log/pods:/var/log/pods', '/var/log/containers:/var/log/containers'];
const CNI_BINDS = ['/etc/cni:/etc/cni:ro', '/opt/cni:/opt/cni:ro', '/var/lib/cni:/var/lib/cni'];

/** A Docker socket outside /run needs its own bind; /run is bound whole. */
function dockerSocketBinds(socket: string): string[] {
  return /^\/(var\/)?run\//.test(socket) ? [] : [`${socket}:${socket}`];
}

function nginxProxy(ctx: HostContext): PlannedContainer {
  const hosts = ctx.controlplanes.map((n) => n.internalAddress).join(',');
  return container(ctx, 'nginx-proxy', ctx.spec.systemImages.nginx_proxy, {
    command: ['nginx-proxy'],
    env: [`CP_HOSTS=${hosts}`],
    binds: [],
  });
}

function criDockerd(ctx: HostContext): PlannedContainer {
  const socket = ctx.node.dockerSocket;
  return serviceContainer(ctx, {
    name: 'cri-dockerd',
    image: ctx.spec.systemImages.cri_dockerd,
    flags: {
      'docker-endpoint': `unix://${socket}`,
      'pod-infra-container-image': ctx.spec.systemImages.pod_infra_container,
    },
    binds: [
      '/run:/run',
      '/var/lib/cri-dockerd:/var/lib/cri-dockerd',
      '/var/lib/kubelet:/var/lib/kubelet:shared',
      '/var/lib/docker:/var/lib/docker:rslave',
      ...CNI_BINDS,
      ...LOG_BINDS,
      ...dockerSocketBinds(socket),
    ],
    privileged: true,
    pidMode: 'host',
    pulls: [ctx.spec.systemImages.pod_infra_container],
  });
}

function kubelet(ctx: HostContext): PlannedContainer {
  const { spec, node } = ctx;
  const taints = roleTaints(node);
  return serviceContainer(ctx, {
    name: 'kubelet',
    service: 'kubelet',
    image: spec.systemImages.kubernetes,
    flags: {
      'client-ca-file': certFile(CA_CERT),
      'cluster-dns': spec.network.dnsServiceIp,
      'cluster-domain': spec.network.clusterDomain,
      'container-runtime-endpoint': CRI_DOCKERD_SOCKET,
      'fail-swap-on': String(spec.services.kubelet.failSwapOn),
      'hostname-override': node.name,
      kubeconfig: kubeconfigFile('kube-node'),
      'node-ip': node.internalAddress,
      ...(taints.length > 0 ? { 'register-with-taints': taints.map(taintFlag).join(',') } : {}),
      ...servingCertFlags(ctx),
    },
    binds: [
      certsBind(ctx),
      '/run:/run',
      '/sys:/sys:rprivate',
      '/dev:/dev:rprivate',
      '/var/lib/kubelet:/var/lib/kubelet:shared',
      '/var/lib/docker:/var/lib/docker:rslave',
      ...LOG_BINDS,
      '/etc/cni:/etc/cni:ro',
      '/opt/cni:/opt/cni:ro',
      '/etc/resolv.conf:/etc/resolv.conf:ro',
    ],
    privileged: true,
    pidMode: 'host',
    healthcheck: { kind: 'http', port: 10248, path: '/healthz' },
  });
}

/** generate_serving_certificate: the kubelet serves the certificate kube-ca signed for this node. */
function servingCertFlags({ spec, node }: HostContext): Record<string, string> {
  if (!spec.services.kubelet.generateServingCertificate) return {};
  const name = kubeletCertName(node);
  return { 'tls-cert-file': certFile(name), 'tls-private-key-file': keyFile(name) };
}

function kubeProxy(ctx: HostContext): PlannedContainer {
  return serviceContainer(ctx, {
    name: 'kube-proxy',
    service: 'kubeproxy',
    image: ctx.spec.systemImages.kubernetes,
    flags: {
      'cluster-cidr': ctx.spec.network.podCidr,
      'hostname-override': ctx.node.name,
      kubeconfig: kubeconfigFile('kube-proxy'),
    },
    binds: [certsBind(ctx), '/run:/run', '/lib/modules:/lib/modules:ro'],
    privileged: true,
    healthcheck: { kind: 'http', port: 10256, path: '/healthz' },
  });
}

export function workerContainers(ctx: HostContext): PlannedContainer[] {
  const proxy = ctx.node.roles.includes('controlplane') ? [] : [nginxProxy(ctx)];
  return [...proxy, criDockerd(ctx), kubelet(ctx), kubeProxy(ctx)];
}
