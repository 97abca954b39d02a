// kube-apiserver, kube-controller-manager and kube-scheduler on controlplane hosts (§2.4, Kubernetes ≥1.24).
import { apiserverHardening } from './apiserver-config.ts';
import { certsBind, type HostContext, serviceContainer } from './container.ts';
import { CA_CERT, etcdClientUrl } from './etcd.ts';
import { certFile, keyFile, kubeconfigFile } from './paths.ts';
import type { PlannedContainer } from './types.ts';

const SERVICE_ACCOUNT = 'kube-service-account-token';

function apiserver(ctx: HostContext): PlannedContainer {
  const { spec, node } = ctx;
  const defaults = ctx.version.defaultFlags['kube-apiserver'];
  const hardening = apiserverHardening(spec);
  const admission: Record<string, string> = hardening.plugins.length
    ? { 'enable-admission-plugins': [defaults['enable-admission-plugins'], ...hardening.plugins].join(',') }
    : {};
  return serviceContainer(ctx, {
    name: 'kube-apiserver',
    service: 'kube-api',
    image: spec.systemImages.kubernetes,
    flags: {
      ...admission,
      ...hardening.flags,
      'advertise-address': node.internalAddress,
      'authorization-mode': spec.authorization.mode === 'rbac' ? 'Node,RBAC' : 'AlwaysAllow',
      'client-ca-file': certFile(CA_CERT),
      'etcd-cafile': certFile(CA_CERT),
      'etcd-certfile': certFile('kube-node'),
      'etcd-keyfile': keyFile('kube-node'),
      'etcd-servers': ctx.etcdNodes.map(etcdClientUrl).join(','),
      ...(spec.services.kubelet.generateServingCertificate
        ? { 'kubelet-certificate-authority': certFile(CA_CERT) }
        : {}),
      'kubelet-client-certificate': certFile('kube-apiserver'),
      'kubelet-client-key': keyFile('kube-apiserver'),
      'proxy-client-cert-file': certFile('kube-apiserver-proxy-client'),
      'proxy-client-key-file': keyFile('kube-apiserver-proxy-client'),
      'requestheader-client-ca-file': certFile('kube-apiserver-requestheader-ca'),
      'service-account-issuer': `https://kubernetes.default.svc.${spec.network.clusterDomain}`,
      'service-account-key-file': keyFile(SERVICE_ACCOUNT),
      'service-account-signing-key-file': keyFile(SERVICE_ACCOUNT),
      'service-cluster-ip-range': spec.network.serviceCidr,
      'service-node-port-range': spec.services['kube-api'].serviceNodePortRange,
      'tls-cert-file': certFile('kube-apiserver'),
      'tls-private-key-file': keyFile('kube-apiserver'),
    },
    env: hardening.env,
    binds: [certsBind(ctx), ...hardening.binds],
    healthcheck: { kind: 'https', port: 6443, path: '/healthz' },
  });
}

/** --kubeconfig plus the delegated authn/authz kubeconfigs, all the component's own. */
function kubeconfigFlags(name: string): Record<string, string> {
  const file = kubeconfigFile(name);
  return { kubeconfig: file, 'authentication-kubeconfig': file, 'authorization-kubeconfig': file };
}

function controllerManager(ctx: HostContext): PlannedContainer {
  const { spec } = ctx;
  return serviceContainer(ctx, {
    name: 'kube-controller-manager',
    service: 'kube-controller',
    image: spec.systemImages.kubernetes,
    flags: {
      ...kubeconfigFlags('kube-controller-manager'),
      'cluster-cidr': spec.network.podCidr,
      'cluster-signing-cert-file': certFile(CA_CERT),
      'cluster-signing-key-file': keyFile(CA_CERT),
      'root-ca-file': certFile(CA_CERT),
      'service-account-private-key-file': keyFile(SERVICE_ACCOUNT),
      'service-cluster-ip-range': spec.network.serviceCidr,
    },
    binds: [certsBind(ctx)],
    healthcheck: { kind: 'https', port: 10257, path: '/healthz' },
  });
}

function scheduler(ctx: HostContext): PlannedContainer {
  return serviceContainer(ctx, {
    name: 'kube-scheduler',
    service: 'scheduler',
    image: ctx.spec.systemImages.kubernetes,
    flags: kubeconfigFlags('kube-scheduler'),
    binds: [certsBind(ctx)],
    healthcheck: { kind: 'https', port: 10259, path: '/healthz' },
  });
}

export function controlplaneContainers(ctx: HostContext): PlannedContainer[] {
  if (!ctx.node.roles.includes('controlplane')) return [];
  return [apiserver(ctx), controllerManager(ctx), scheduler(ctx)];
}
