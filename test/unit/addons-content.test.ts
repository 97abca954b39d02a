// What each built-in addon configures: the settings a user of the cluster would notice.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { addonObjects, type KubeObject } from '../../model/addons/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { at, find, node, threeNodeSpec } from './addons-fixture.ts';

interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  volumeMounts?: { name: string; mountPath: string }[];
}

function mainContainer(workload: KubeObject): Container {
  return (at(workload, 'spec.template.spec.containers') as Container[])[0]!;
}

function configData(objects: KubeObject[], name: string): Record<string, string> {
  return find(objects, 'ConfigMap', name).data as Record<string, string>;
}

function subjects(binding: KubeObject): string[] {
  return (binding.subjects as { kind: string; name: string }[]).map((s) => `${s.kind}:${s.name}`);
}

suite('rbac', () => {
  const objects = addonObjects(threeNodeSpec(), 'rbac');

  test('the job deployer account is cluster-admin', () => {
    find(objects, 'ServiceAccount', 'zke-job-deployer');
    const binding = find(objects, 'ClusterRoleBinding', 'zke-job-deployer');
    assert.equal(at(binding, 'roleRef.name'), 'cluster-admin');
    assert.deepEqual(subjects(binding), ['ServiceAccount:zke-job-deployer']);
  });

  test('nodes (group system:nodes) hold the system:node role', () => {
    const binding = find(objects, 'ClusterRoleBinding', 'system:node');
    assert.equal(at(binding, 'roleRef.name'), 'system:node');
    assert.deepEqual(subjects(binding), ['Group:system:nodes']);
  });

  test('kube-apiserver may use the kubelet API for logs, exec and metrics', () => {
    const role = find(objects, 'ClusterRole', 'zke:kube-apiserver-kubelet-api');
    const resources = (role.rules as { resources: string[] }[]).flatMap((r) => r.resources).sort();
    assert.deepEqual(resources, ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/spec', 'nodes/stats']);
    const binding = find(objects, 'ClusterRoleBinding', 'zke:kube-apiserver-kubelet-api');
    assert.deepEqual(subjects(binding), ['User:kube-apiserver']);
  });

  test('without RBAC authorization only the job deployer remains', () => {
    const spec: ClusterSpec = { ...threeNodeSpec(), authorization: { mode: 'none' } };
    const kinds = addonObjects(spec, 'rbac').map((o) => `${o.kind}/${o.metadata.name}`);
    assert.deepEqual(kinds, ['ServiceAccount/zke-job-deployer', 'ClusterRoleBinding/zke-job-deployer']);
  });
});

suite('network (flannel)', () => {
  const spec = threeNodeSpec();
  const objects = addonObjects(spec, 'network');
  const ds = find(objects, 'DaemonSet', 'kube-flannel');

  test('net-conf.json has the pod CIDR and VXLAN with DirectRouting', () => {
    const netConf = JSON.parse(configData(objects, 'kube-flannel-cfg')['net-conf.json']!);
    assert.equal(netConf.Network, '10.42.0.0/16');
    assert.deepEqual(netConf.Backend, { Type: 'vxlan', DirectRouting: true });
  });

  test('the CNI conflist uses the flannel plugin and is installed into the host CNI directory', () => {
    const conflist = JSON.parse(configData(objects, 'kube-flannel-cfg')['cni-conf.json']!);
    assert.equal(conflist.plugins[0].type, 'flannel');
    const init = at(ds, 'spec.template.spec.initContainers') as Container[];
    assert.deepEqual(init[1]!.args, [
      '-f',
      '/etc/kube-flannel/cni-conf.json',
      '/etc/cni/net.d/10-flannel.conflist',
    ]);
    assert.equal(init[0]!.image, spec.systemImages.flannel_cni);
    const hostPaths = (at(ds, 'spec.template.spec.volumes') as { hostPath?: { path: string } }[]).map(
      (v) => v.hostPath?.path,
    );
    assert.ok(hostPaths.includes('/opt/cni/bin') && hostPaths.includes('/etc/cni/net.d'));
  });

  test('flanneld runs privileged on the host network of every node, whatever its taints', () => {
    const pod = at(ds, 'spec.template.spec') as Record<string, unknown>;
    assert.equal(pod.hostNetwork, true);
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    assert.deepEqual(
      mainContainer(ds).args?.filter((a) => a.startsWith('--kube-subnet-mgr')),
      ['--kube-subnet-mgr=true'],
    );
    assert.equal(at(mainContainer(ds), 'securityContext.privileged'), true);
  });

  test('network.iface becomes --iface, network.mtu the VXLAN MTU, backend options the VNI and port', () => {
    const network = {
      ...spec.network,
      iface: 'eth1',
      mtu: 1400,
      options: { flannel_backend_vni: '4096', flannel_backend_port: '8472' },
    };
    const custom = addonObjects({ ...spec, network }, 'network');
    assert.ok(mainContainer(find(custom, 'DaemonSet', 'kube-flannel')).args?.includes('--iface=eth1'));
    assert.ok(!mainContainer(ds).args?.some((a) => a.startsWith('--iface')));
    const netConf = JSON.parse(configData(custom, 'kube-flannel-cfg')['net-conf.json']!);
    assert.deepEqual(netConf.Backend, {
      Type: 'vxlan',
      DirectRouting: true,
      VNI: 4096,
      Port: 8472,
      MTU: 1400,
    });
  });
});

suite('coredns', () => {
  const spec = threeNodeSpec();
  const objects = addonObjects(spec, 'coredns');

  test('Service kube-dns in kube-system at the DNS service IP, DNS over UDP and TCP', () => {
    const svc = find(objects, 'Service', 'kube-dns');
    assert.equal(svc.metadata.namespace, 'kube-system');
    assert.equal(at(svc, 'spec.clusterIP'), '10.43.0.10');
    const ports = (at(svc, 'spec.ports') as { port: number; protocol: string }[]).map(
      (p) => `${p.port}/${p.protocol}`,
    );
    assert.deepEqual(ports, ['53/UDP', '53/TCP', '9153/TCP']);
    const deployment = find(objects, 'Deployment', 'coredns');
    assert.deepEqual(at(svc, 'spec.selector'), at(deployment, 'spec.template.metadata.labels'));
  });

  test('the Corefile serves the cluster domain and forwards to the node resolv.conf by default', () => {
    const corefile = configData(objects, 'coredns').Corefile!;
    assert.match(corefile, /kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{/);
    assert.match(corefile, /forward \. \/etc\/resolv\.conf/);
    for (const plugin of ['cache', 'loop', 'reload', 'ready', 'health'])
      assert.match(corefile, new RegExp(`^\\s+${plugin}\\b`, 'm'));
    assert.equal(at(find(objects, 'Deployment', 'coredns'), 'spec.template.spec.dnsPolicy'), 'Default');
  });

  test('domain, reverse CIDRs and upstream nameservers come from the spec', () => {
    const custom: ClusterSpec = {
      ...spec,
      network: { ...spec.network, clusterDomain: 'corp.internal', dnsServiceIp: '10.96.0.10' },
      dns: { ...spec.dns, upstreamNameservers: ['1.1.1.1', '9.9.9.9'], reverseCidrs: ['10.96.0.0/12'] },
    };
    const objs = addonObjects(custom, 'coredns');
    const corefile = configData(objs, 'coredns').Corefile!;
    assert.match(corefile, /kubernetes corp\.internal 10\.96\.0\.0\/12 \{/);
    assert.match(corefile, /forward \. 1\.1\.1\.1 9\.9\.9\.9 \{/);
    assert.doesNotMatch(corefile, /cluster\.local|resolv\.conf/);
    assert.equal(at(find(objs, 'Service', 'kube-dns'), 'spec.clusterIP'), '10.96.0.10');
  });

  test('two replicas with several workers, one with a single worker', () => {
    assert.equal(at(find(objects, 'Deployment', 'coredns'), 'spec.replicas'), 2);
    const single = { ...spec, nodes: [node('solo', '10.0.0.9', ['etcd', 'controlplane', 'worker'])] };
    assert.equal(at(find(addonObjects(single, 'coredns'), 'Deployment', 'coredns'), 'spec.replicas'), 1);
  });
});

suite('metrics-server', () => {
  const objects = addonObjects(threeNodeSpec(), 'metrics-server');
  const container = mainContainer(find(objects, 'Deployment', 'metrics-server'));

  test('serves v1beta1.metrics.k8s.io through its Service, TLS unverified', () => {
    const api = find(objects, 'APIService', 'v1beta1.metrics.k8s.io');
    assert.deepEqual(at(api, 'spec.service'), { name: 'metrics-server', namespace: 'kube-system' });
    assert.equal(at(api, 'spec.insecureSkipTLSVerify'), true);
    find(objects, 'Service', 'metrics-server');
  });

  test('scrapes kubelets by InternalIP without verifying their self-signed certs, off port 10250', () => {
    const args = container.args ?? [];
    assert.ok(args.includes('--kubelet-insecure-tls=true'));
    assert.ok(args.includes('--kubelet-preferred-address-types=InternalIP'));
    assert.ok(args.includes('--secure-port=4443'));
  });

  test('with generate_serving_certificate it verifies kubelets against kube-ca (the kube-root-ca.crt ConfigMap)', () => {
    const spec = threeNodeSpec();
    const kubelet = { ...spec.services.kubelet, generateServingCertificate: true };
    const verifying = { ...spec, services: { ...spec.services, kubelet } };
    const deployment = find(addonObjects(verifying, 'metrics-server'), 'Deployment', 'metrics-server');
    const args = mainContainer(deployment).args ?? [];
    assert.ok(args.includes('--kubelet-certificate-authority=/etc/cluster-ca/ca.crt'), args.join(' '));
    assert.ok(!args.some((a) => a.startsWith('--kubelet-insecure-tls')), args.join(' '));
    assert.deepEqual((at(deployment, 'spec.template.spec.volumes') as unknown[])[1], {
      name: 'cluster-ca',
      configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
  });

  test('has the aggregated reader, auth-delegator and auth-reader permissions', () => {
    find(objects, 'ClusterRole', 'system:aggregated-metrics-reader');
    assert.equal(
      at(find(objects, 'ClusterRoleBinding', 'metrics-server:system:auth-delegator'), 'roleRef.name'),
      'system:auth-delegator',
    );
    const reader = find(objects, 'RoleBinding', 'metrics-server-auth-reader');
    assert.equal(reader.metadata.namespace, 'kube-system');
    assert.equal(at(reader, 'roleRef.name'), 'extension-apiserver-authentication-reader');
  });

  test('monitoring options become flags, overriding the defaults', () => {
    const spec = threeNodeSpec();
    const custom = {
      ...spec,
      monitoring: { ...spec.monitoring, options: { 'metric-resolution': '30s', v: '4' } },
    };
    const args =
      mainContainer(find(addonObjects(custom, 'metrics-server'), 'Deployment', 'metrics-server')).args ?? [];
    assert.deepEqual(
      args.filter((a) => a.startsWith('--metric-resolution') || a.startsWith('--v=')),
      ['--metric-resolution=30s', '--v=4'],
    );
  });
});

suite('ingress (Traefik)', () => {
  const spec = threeNodeSpec();
  const objects = addonObjects(spec, 'ingress');
  const ds = find(objects, 'DaemonSet', 'traefik-ingress-controller');

  test('runs on the edge nodes, on the host network, ports 80 and 443', () => {
    assert.deepEqual(at(ds, 'spec.template.spec.nodeSelector'), { 'node-role.kubernetes.io/edge': 'true' });
    assert.equal(at(ds, 'spec.template.spec.hostNetwork'), true);
    const args = mainContainer(ds).args ?? [];
    assert.ok(
      args.includes('--entryPoints.web.address=:80') && args.includes('--entryPoints.websecure.address=:443'),
    );
  });

  test('serves the default IngressClass nginx', () => {
    const ingressClass = find(objects, 'IngressClass', 'nginx');
    assert.equal(at(ingressClass, 'spec.controller'), 'traefik.io/ingress-controller');
    assert.equal(ingressClass.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');
    const args = mainContainer(ds).args ?? [];
    assert.ok(args.includes('--providers.kubernetesingress=true'));
    assert.ok(args.includes('--providers.kubernetesingress.ingressclass=nginx'));
  });

  test('may read what Ingresses refer to and update their status', () => {
    const rules = find(objects, 'ClusterRole', 'traefik-ingress-controller').rules as {
      resources: string[];
    }[];
    const resources = rules.flatMap((r) => r.resources);
    for (const r of [
      'ingresses',
      'ingressclasses',
      'services',
      'endpointslices',
      'secrets',
      'ingresses/status',
    ]) {
      assert.ok(resources.includes(r), r);
    }
  });

  test("the spec's node selector and extra args apply; an empty selector means edge nodes", () => {
    const custom = {
      ...spec,
      ingress: { ...spec.ingress, nodeSelector: { role: 'lb' }, extraArgs: { 'log.level': 'DEBUG' } },
    };
    const customDs = find(addonObjects(custom, 'ingress'), 'DaemonSet', 'traefik-ingress-controller');
    assert.deepEqual(at(customDs, 'spec.template.spec.nodeSelector'), { role: 'lb' });
    assert.ok(mainContainer(customDs).args?.includes('--log.level=DEBUG'));
    const bare = { ...spec, ingress: { ...spec.ingress, nodeSelector: {} } };
    const bareDs = find(addonObjects(bare, 'ingress'), 'DaemonSet', 'traefik-ingress-controller');
    assert.deepEqual(at(bareDs, 'spec.template.spec.nodeSelector'), {
      'node-role.kubernetes.io/edge': 'true',
    });
  });
});
