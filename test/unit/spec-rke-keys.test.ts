// Every RKE and zke key is honoured, refused with what to do instead, or (no effect by design) warned about:
// no setting is silently dropped (issue 16 item 6).
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { addonObjects, corefile } from '../../model/addons/index.ts';
import { type ClusterSpec, parseClusterSpec } from '../../model/spec/index.ts';
import { at, find } from './addons-fixture.ts';

const NODES = [{ address: '10.0.0.1', user: 'rke', role: ['controlplane', 'etcd', 'worker'] }];

function parsed(extra: Record<string, unknown>) {
  return parseClusterSpec({ nodes: NODES, ...extra });
}

function valid(extra: Record<string, unknown>): { spec: ClusterSpec; warnings: string[] } {
  const result = parsed(extra);
  if (!result.ok) assert.fail(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return { spec: result.spec, warnings: result.warnings.map((w) => `${w.path}: ${w.message}`) };
}

function errors(extra: Record<string, unknown>): string[] {
  const result = parsed(extra);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

suite('refused, each with what to do instead', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['services.etcd.path', { services: { etcd: { path: '/etcd' } } }, 'give nodes the etcd role'],
    [
      'services.kubelet.extra_args_array',
      { services: { kubelet: { extra_args_array: { a: ['1'] } } } },
      'once in extra_args',
    ],
    ['enable_cri_dockerd', { enable_cri_dockerd: false }, 'remove enable_cri_dockerd: false'],
    ['cri_dockerd_stream_server_port', { cri_dockerd_stream_server_port: '10010' }, 'remove it'],
    ['cloud_provider', { cloud_provider: { name: 'aws' } }, 'external cloud-controller-manager as an addon'],
    [
      'private_registries[0].ecr_credential_plugin',
      { private_registries: [{ url: 'r.example', ecr_credential_plugin: { aws_access_key_id: 'x' } }] },
      'give user and password',
    ],
    [
      'authentication.webhook',
      { authentication: { webhook: { config_file: 'x' } } },
      'authentication-token-webhook-config-file',
    ],
    [
      'restore.restore',
      { restore: { restore: true, snapshot_name: 's1' } },
      'zke etcd snapshot-restore NAME',
    ],
    ['rotate_certificates', { rotate_certificates: { caCertificates: true } }, 'zke cert rotate'],
    ['rotate_encryption_key', { rotate_encryption_key: true }, 'remove rotate_encryption_key'],
    ['dns.nodelocal', { dns: { nodelocal: { ip_address: '169.254.20.10' } } }, 'remove dns.nodelocal'],
    [
      'network.calico_network_provider',
      { network: { calico_network_provider: { cloud_provider: 'aws' } } },
      'zke runs flannel',
    ],
    [
      'dns.options.kubedns_priority_class_name',
      { dns: { options: { kubedns_priority_class_name: 'x' } } },
      'known: coredns_priority_class_name',
    ],
  ];
  for (const [path, doc, hint] of cases) {
    test(path, () => {
      const found = errors(doc).find((e) => e.startsWith(`${path}: `));
      assert.ok(found, `no error at ${path}: ${errors(doc).join('\n')}`);
      assert.ok(found.includes(hint), found);
    });
  }

  test('etcd backup_config: timeout bounds one-off snapshots and restores; safe_timestamp has no effect', () => {
    const backup = (b: Record<string, unknown>) => ({ services: { etcd: { backup_config: b } } });
    const { spec, warnings } = valid(backup({ timeout: 120, safe_timestamp: true }));
    assert.equal(spec.services.etcd.backupTimeoutSeconds, 120);
    assert.deepEqual(warnings, [
      "services.etcd.backup_config.safe_timestamp: no effect: zke's snapshot names never hold colons (etcd-snapshot-20261205T101500Z)",
    ]);
    assert.equal(valid({}).spec.services.etcd.backupTimeoutSeconds, 600);
    assert.deepEqual(errors(backup({ timeout: 3600 })), [
      'services.etcd.backup_config.timeout: 3600 is not a whole number between 1 and 840',
    ]);
  });

  test("a refused setting's default value is no error: false, or a cloud provider without a name", () => {
    const { warnings } = valid({
      ssh_agent_auth: false,
      enable_cri_dockerd: true,
      restore: { restore: false },
      rotate_encryption_key: false,
      cloud_provider: { name: '' },
      bastion_host: { ignore_proxy_env_vars: false },
    });
    assert.deepEqual(warnings, []);
  });

  test('zke keys: single_cloud_address and an enabled loadbalance are refused, disable_linkerd: true is what zke-ts does', () => {
    const refused = parseClusterSpec({
      nodes: [{ address: '10.0.0.1', roles: ['etcd', 'controlplane', 'worker', 'edge'] }],
      single_cloud_address: '10.0.0.9',
      loadbalance: { enable: true, master_server: '10.0.0.8' },
      disable_linkerd: false,
    });
    assert.equal(refused.ok, false);
    assert.deepEqual(refused.ok ? [] : refused.errors.map((e) => e.path).sort(), [
      'disable_linkerd',
      'loadbalance.enable',
      'single_cloud_address',
    ]);
  });
});

suite('no effect by design: a warning says why', () => {
  test('addon_job_timeout, Windows settings, authorization options, the DNS autoscaler', () => {
    const { warnings } = valid({
      addon_job_timeout: 30,
      win_prefix_path: 'c:/',
      services: { kubelet: { win_extra_args: { v: '2' } } },
      authorization: { mode: 'rbac', options: { x: 'y' } },
      dns: { linear_autoscaler_params: { min: 2 } },
    });
    assert.deepEqual(warnings.map((w) => w.split(':')[0]).sort(), [
      'addon_job_timeout',
      'authorization.options',
      'dns.linear_autoscaler_params',
      'services.kubelet.win_extra_args',
      'win_prefix_path',
    ]);
    assert.ok(
      warnings.every((w) => w.includes('no effect')),
      warnings.join('\n'),
    );
  });

  test("RKE's own images in system_images (what rke config writes) are replaced by zke's, each named", () => {
    const { spec, warnings } = valid({
      system_images: { kubernetes: 'rancher/hyperkube:v1.19.3-rancher1', kubedns: 'x/y:1' },
    });
    assert.ok(!spec.systemImages.kubernetes.includes('rancher/'), spec.systemImages.kubernetes);
    assert.ok(warnings.some((w) => w.startsWith('system_images.kubernetes: no effect: rancher/hyperkube')));
    assert.ok(warnings.some((w) => w.startsWith('system_images.kubedns: no effect: zke runs no component')));
  });
});

suite('honoured', () => {
  test('ssh_agent_auth (RKE top level, zke option, a node, the bastion) turns agent authentication on', () => {
    const bastion_host = { address: 'jump' };
    const rke = valid({ ssh_agent_auth: true, bastion_host }).spec;
    const zke = valid({ option: { ssh_agent_auth: true }, bastion_host }).spec;
    for (const spec of [rke, zke]) {
      assert.equal(spec.nodes[0]!.ssh.agent, true, 'the nodes inherit it');
      assert.equal(spec.bastionHost!.ssh.agent, true, 'the bastion inherits it');
    }
    const own = valid({
      nodes: [{ ...NODES[0], ssh_agent_auth: true }],
      bastion_host: { ...bastion_host, ssh_agent_auth: true },
    }).spec;
    assert.equal(own.nodes[0]!.ssh.agent, true);
    assert.equal(own.bastionHost!.ssh.agent, true);
    assert.equal(
      valid({ ssh_agent_auth: false }).spec.nodes[0]!.ssh.agent,
      undefined,
      'off: not in the spec',
    );
  });

  test("ssh_cert_path (RKE top level, zke option, a node, the bastion) and ssh_cert are the key's certificate", () => {
    const bastion_host = { address: 'jump' };
    const rke = valid({ ssh_cert_path: '/c.pub', bastion_host }).spec;
    const zke = valid({ option: { ssh_cert_path: '/c.pub' }, bastion_host }).spec;
    for (const spec of [rke, zke]) {
      assert.equal(spec.nodes[0]!.ssh.certPath, '/c.pub', 'the nodes inherit it');
      assert.equal(spec.bastionHost!.ssh.certPath, '/c.pub', 'the bastion inherits it');
    }
    const own = valid({
      nodes: [{ ...NODES[0], ssh_cert: 'ssh-ed25519-cert-v01@openssh.com AAAA' }],
      bastion_host: { ...bastion_host, ssh_cert_path: '/b.pub' },
    }).spec;
    assert.equal(own.nodes[0]!.ssh.cert, 'ssh-ed25519-cert-v01@openssh.com AAAA');
    assert.equal(own.bastionHost!.ssh.certPath, '/b.pub');
    assert.equal(valid({}).spec.nodes[0]!.ssh.certPath, undefined, 'none given: not in the spec');
  });

  test('services.<name>.image and kubelet.infra_container_image override the images, as in RKE', () => {
    const { spec } = valid({
      services: {
        etcd: { image: 'mirror.example/etcd:v3.5.21' },
        kubelet: { infra_container_image: 'mirror.example/pause:3.10' },
      },
    });
    assert.equal(spec.systemImages.etcd, 'mirror.example/etcd:v3.5.21');
    assert.equal(spec.systemImages.pod_infra_container, 'mirror.example/pause:3.10');
  });

  test('network, dns and monitoring placement reach their DaemonSet and Deployments', () => {
    const placement = {
      node_selector: { pool: 'infra' },
      tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }],
      update_strategy: { strategy: 'RollingUpdate', rollingUpdate: { maxUnavailable: 3 } },
    };
    const { spec } = valid({
      network: { plugin: 'flannel', ...placement },
      dns: { ...placement, options: { coredns_priority_class_name: 'dns-critical' } },
      monitoring: { ...placement, replicas: 2, metrics_server_priority_class_name: 'ms-critical' },
    });
    const flannel = find(addonObjects(spec, 'network'), 'DaemonSet', 'kube-flannel');
    const coredns = find(addonObjects(spec, 'coredns'), 'Deployment', 'coredns');
    const metrics = find(addonObjects(spec, 'metrics-server'), 'Deployment', 'metrics-server');
    for (const workload of [flannel, coredns, metrics]) {
      assert.deepEqual(at(workload, 'spec.template.spec.nodeSelector'), { pool: 'infra' });
      assert.deepEqual(at(workload, 'spec.template.spec.tolerations'), placement.tolerations);
    }
    assert.deepEqual(at(flannel, 'spec.updateStrategy'), {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 3 },
    });
    assert.deepEqual(at(coredns, 'spec.strategy'), {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 3 },
    });
    assert.equal(at(coredns, 'spec.template.spec.priorityClassName'), 'dns-critical');
    assert.equal(at(metrics, 'spec.replicas'), 2);
    assert.equal(at(metrics, 'spec.template.spec.priorityClassName'), 'ms-critical');
  });

  test('dns.stubdomains become CoreDNS server blocks; flannel_network_provider.iface is the flannel interface', () => {
    const { spec } = valid({
      dns: { stubdomains: { 'corp.example': ['10.1.0.53', '10.1.0.54'] } },
      network: { plugin: 'flannel', flannel_network_provider: { iface: 'eth1' } },
    });
    assert.match(corefile(spec), /^corp\.example:53 \{[^}]*forward \. 10\.1\.0\.53 10\.1\.0\.54\n\}/m);
    assert.equal(spec.network.iface, 'eth1');
    assert.ok(
      errors({ dns: { stubdomains: { 'corp.example': ['dns1'] } } }).some((e) =>
        e.startsWith('dns.stubdomains'),
      ),
    );
  });
});

test('a cluster name with dots, as RKE users write it (home.local), is valid; one with capitals is not', () => {
  assert.equal(valid({ cluster_name: 'lindsey.local' }).spec.clusterName, 'lindsey.local');
  assert.ok(
    errors({ cluster_name: 'Lindsey' }).some((e) =>
      e.startsWith('cluster_name: "Lindsey" is not a valid cluster name'),
    ),
  );
});

suite('network options', () => {
  test('an option flannel does not read is an error; with plugin none every option is a no-effect warning', () => {
    assert.ok(
      errors({ network: { plugin: 'flannel', options: { canal_iface: 'eth1' } } }).some((e) =>
        e.startsWith('network.options.canal_iface: unknown flannel option "canal_iface"'),
      ),
    );
    const { warnings } = valid({ network: { plugin: 'none', options: { flannel_backend_type: 'vxlan' } } });
    assert.deepEqual(warnings, ['network.options.flannel_backend_type: no effect: no network plugin runs']);
  });
});
