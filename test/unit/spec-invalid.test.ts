// Invalid specs: each one must produce its specific error at its specific path, and all errors come at once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { knownVersions } from '../../model/versions.ts';

// biome-ignore lint/suspicious/noExplicitAny: the cases edit documents freely, as users do
type Doc = Record<string, any>;

/** A valid zke-format cluster: one etcd+controlplane node, a worker and an edge node. */
function base(): Doc {
  return {
    cluster_name: 'lab',
    nodes: [
      { name: 'cp1', address: '10.0.0.1', roles: ['etcd', 'controlplane'] },
      { name: 'w1', address: '10.0.0.2', roles: ['worker'] },
      { name: 'e1', address: '10.0.0.3', roles: ['edge'] },
    ],
  };
}

interface Case {
  name: string;
  edit: (doc: Doc) => void;
  path: string;
  message: string | RegExp;
}

const CASES: Case[] = [
  {
    name: 'no nodes',
    edit: (d) => {
      d.nodes = [];
    },
    path: 'nodes',
    message: 'at least one node is required',
  },
  {
    name: 'no etcd node',
    edit: (d) => {
      d.nodes[0].roles = ['controlplane'];
    },
    path: 'nodes',
    message: /^no node has the etcd role/,
  },
  {
    name: 'no controlplane node',
    edit: (d) => {
      d.nodes[0].roles = ['etcd'];
    },
    path: 'nodes',
    message: /^no node has the controlplane role/,
  },
  {
    name: 'no worker or edge node',
    edit: (d) => d.nodes.splice(1, 2),
    path: 'nodes',
    message: /^no node has the worker role \(or edge\)/,
  },
  {
    name: 'invalid IP address',
    edit: (d) => {
      d.nodes[2].address = '10.0.0.300';
    },
    path: 'nodes[2].address',
    message: '"10.0.0.300" is not an IP address or hostname',
  },
  {
    name: 'invalid internal address',
    edit: (d) => {
      d.nodes[1].internal_address = 'bad host!';
    },
    path: 'nodes[1].internal_address',
    message: '"bad host!" is not an IP address or hostname',
  },
  {
    name: 'missing address',
    edit: (d) => delete d.nodes[1].address,
    path: 'nodes[1].address',
    message: 'address is required',
  },
  {
    name: 'duplicate node name',
    edit: (d) => {
      d.nodes[2].name = 'CP1';
    },
    path: 'nodes[2].name',
    message: 'duplicate node name "cp1" (also nodes[0])',
  },
  {
    name: 'duplicate address',
    edit: (d) => {
      d.nodes[1].address = '10.0.0.1';
    },
    path: 'nodes[1].address',
    message: 'duplicate address "10.0.0.1" (also nodes[0])',
  },
  {
    name: 'node name not DNS-1123',
    edit: (d) => {
      d.nodes[0].name = 'cp_1';
    },
    path: 'nodes[0].name',
    message: /^"cp_1" is not a valid DNS-1123 name/,
  },
  {
    name: 'RKE hostname_override not DNS-1123',
    edit: (d) => {
      delete d.nodes[0].name;
      d.nodes[0].hostname_override = 'cp-';
    },
    path: 'nodes[0].hostname_override',
    message: /^"cp-" is not a valid DNS-1123 name/,
  },
  {
    name: 'name and hostname_override disagree',
    edit: (d) => {
      d.nodes[0].hostname_override = 'other';
    },
    path: 'nodes[0].hostname_override',
    message: 'conflicts with nodes[0].name ("other" vs "cp1")',
  },
  {
    name: 'node without roles',
    edit: (d) => {
      d.nodes[1].roles = [];
    },
    path: 'nodes[1].roles',
    message: 'at least one role is required (etcd, controlplane, worker, edge)',
  },
  {
    name: 'unknown role',
    edit: (d) => d.nodes[1].roles.push('storage'),
    path: 'nodes[1].roles[1]',
    message: 'unknown role "storage" (known: etcd, controlplane, worker, edge)',
  },
  {
    name: 'unknown certificate key algorithm',
    edit: (d) => {
      d.cert_key_algorithm = 'DSA-1024';
    },
    path: 'cert_key_algorithm',
    message:
      'unknown certificate key algorithm "DSA-1024" (known: RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384)',
  },
  {
    name: 'unknown role in RKE `role`',
    edit: (d) => {
      delete d.nodes[1].roles;
      d.nodes[1].role = ['master', 'worker'];
    },
    path: 'nodes[1].role[0]',
    message: 'unknown role "master" (known: etcd, controlplane, worker, edge)',
  },
  {
    name: 'roles is not a list',
    edit: (d) => {
      d.nodes[1].roles = 'worker';
    },
    path: 'nodes[1].roles',
    message: 'expected a list, got a string',
  },
  {
    name: 'pod CIDR syntax',
    edit: (d) => {
      d.option = { cluster_cidr: '10.42.0.0' };
    },
    path: 'option.cluster_cidr',
    message: '"10.42.0.0" is not an IPv4 CIDR (like 10.42.0.0/16)',
  },
  {
    name: 'pod CIDR with host bits',
    edit: (d) => {
      d.option = { cluster_cidr: '10.42.1.0/16' };
    },
    path: 'option.cluster_cidr',
    message: '"10.42.1.0/16" has host bits set (did you mean 10.42.0.0/16?)',
  },
  {
    name: 'service CIDR overlaps the pod CIDR',
    edit: (d) => {
      d.option = { service_cidr: '10.42.128.0/17', cluster_dns_serviceip: '10.42.128.10' };
    },
    path: 'option.service_cidr',
    message: 'service CIDR 10.42.128.0/17 overlaps the pod CIDR 10.42.0.0/16 (option.cluster_cidr)',
  },
  {
    name: 'RKE service CIDR overlaps the pod CIDR (RKE path)',
    edit: (d) => {
      d.services = { 'kube-api': { service_cluster_ip_range: '10.40.0.0/14' } };
    },
    path: 'services.kube-api.service_cluster_ip_range',
    message: /^service CIDR 10\.40\.0\.0\/14 overlaps the pod CIDR/,
  },
  {
    name: 'node address inside the pod CIDR',
    edit: (d) => {
      d.nodes[1].address = '10.42.0.7';
    },
    path: 'nodes[1].address',
    message: '10.42.0.7 is inside the pod CIDR 10.42.0.0/16 (option.cluster_cidr)',
  },
  {
    name: 'node internal address inside the service CIDR',
    edit: (d) => {
      d.nodes[0].internal_address = '10.43.5.5';
    },
    path: 'nodes[0].internal_address',
    message: '10.43.5.5 is inside the service CIDR 10.43.0.0/16 (option.service_cidr)',
  },
  {
    name: 'DNS service IP outside the service CIDR',
    edit: (d) => {
      d.option = { cluster_dns_serviceip: '10.44.0.10' };
    },
    path: 'option.cluster_dns_serviceip',
    message: '10.44.0.10 is not inside the service CIDR 10.43.0.0/16',
  },
  {
    name: 'DNS service IP outside a changed service CIDR is reported where the user would set it',
    edit: (d) => {
      d.option = { service_cidr: '10.50.0.0/16' };
    },
    path: 'option.cluster_dns_serviceip',
    message: '10.43.0.10 is not inside the service CIDR 10.50.0.0/16',
  },
  {
    name: 'DNS service IP is the kubernetes service IP',
    edit: (d) => {
      d.option = { cluster_dns_serviceip: '10.43.0.1' };
    },
    path: 'option.cluster_dns_serviceip',
    message: /is the kubernetes service IP/,
  },
  {
    name: 'DNS service IP not an IP',
    edit: (d) => {
      d.option = { cluster_dns_serviceip: 'dns' };
    },
    path: 'option.cluster_dns_serviceip',
    message: '"dns" is not an IPv4 address',
  },
  {
    name: 'unknown network plugin',
    edit: (d) => {
      d.network = { plugin: 'weave' };
    },
    path: 'network.plugin',
    message: 'unknown network plugin "weave" (known: flannel, canal, none)',
  },
  {
    name: 'unknown Kubernetes version (zke misspelt key)',
    edit: (d) => {
      d.option = { kubetnetes_version: 'v1.17.2' };
    },
    path: 'option.kubetnetes_version',
    message: `unknown Kubernetes version "v1.17.2" (known: ${knownVersions().join(', ')})`,
  },
  {
    name: 'unknown Kubernetes version (RKE key)',
    edit: (d) => {
      d.kubernetes_version = 'v1.29.6-rancher1-1';
    },
    path: 'kubernetes_version',
    message: `unknown Kubernetes version "v1.29.6-rancher1-1" (known: ${knownVersions().join(', ')})`,
  },
  {
    name: 'two places give different versions',
    edit: (d) => {
      d.option = { kubernetes_version: 'v1.33.13' };
      d.kubernetes_version = 'v1.34.4';
    },
    path: 'kubernetes_version',
    message: 'conflicts with option.kubernetes_version ("v1.34.4" vs "v1.33.13")',
  },
  {
    name: 'SSH port out of range',
    edit: (d) => {
      d.option = { ssh_port: 70000 };
    },
    path: 'option.ssh_port',
    message: '70000 is not a whole number between 1 and 65535',
  },
  {
    name: 'node port zero',
    edit: (d) => {
      d.nodes[0].port = 0;
    },
    path: 'nodes[0].port',
    message: '0 is not a whole number between 1 and 65535',
  },
  {
    name: 'node port not a number',
    edit: (d) => {
      d.nodes[0].port = '22a';
    },
    path: 'nodes[0].port',
    message: '"22a" is not a whole number between 1 and 65535',
  },
  {
    name: 'label key with a space',
    edit: (d) => {
      d.nodes[1].labels = { 'bad key': 'x' };
    },
    path: 'nodes[1].labels["bad key"]',
    message: /^label key "bad key" is invalid/,
  },
  {
    name: 'label key with an invalid prefix',
    edit: (d) => {
      d.nodes[1].labels = { 'Example.com/tier': 'x' };
    },
    path: 'nodes[1].labels["Example.com/tier"]',
    message: /^label key "Example.com\/tier" has an invalid prefix/,
  },
  {
    name: 'label value too long',
    edit: (d) => {
      d.nodes[1].labels = { tier: 'x'.repeat(64) };
    },
    path: 'nodes[1].labels.tier',
    message: /^label value "x{64}" is invalid/,
  },
  {
    name: 'unknown taint effect',
    edit: (d) => {
      d.nodes[1].taints = [{ key: 'dedicated', value: 'db', effect: 'NoRun' }];
    },
    path: 'nodes[1].taints[0].effect',
    message: 'unknown taint effect "NoRun" (known: NoSchedule, PreferNoSchedule, NoExecute)',
  },
  {
    name: 'taint without effect',
    edit: (d) => {
      d.nodes[1].taints = [{ key: 'dedicated' }];
    },
    path: 'nodes[1].taints[0].effect',
    message: 'taint effect is required (NoSchedule, PreferNoSchedule, NoExecute)',
  },
  {
    name: 'taint key invalid',
    edit: (d) => {
      d.nodes[1].taints = [{ key: '-bad', effect: 'NoSchedule' }];
    },
    path: 'nodes[1].taints[0].key',
    message: /^label key "-bad" is invalid/,
  },
  {
    name: 'extra_args key with leading dashes',
    edit: (d) => {
      d.core = { kubelet: { extra_args: { '--max-pods': '150' } } };
    },
    path: 'core.kubelet.extra_args["--max-pods"]',
    message:
      'extra_args key "--max-pods" is invalid (lower-case letters, digits and "-", without leading dashes)',
  },
  {
    name: 'extra_args value with a newline (RKE services)',
    edit: (d) => {
      d.services = { 'kube-api': { extra_args: { v: '2\n--evil=1' } } };
    },
    path: 'services.kube-api.extra_args.v',
    message: '"2\\n--evil=1" must not contain newlines or NUL characters',
  },
  {
    name: 'extra_binds with a relative host path',
    edit: (d) => {
      d.core = { kubelet: { extra_binds: ['data:/data'] } };
    },
    path: 'core.kubelet.extra_binds[0]',
    message: 'bind "data:/data": "data" is not an absolute path',
  },
  {
    name: 'extra_binds with an unknown option',
    edit: (d) => {
      d.core = { kubelet: { extra_binds: ['/data:/data:rw,exec'] } };
    },
    path: 'core.kubelet.extra_binds[0]',
    message: /^bind "\/data:\/data:rw,exec" has unknown options exec/,
  },
  {
    name: 'extra_env with an invalid key',
    edit: (d) => {
      d.core = { etcd: { extra_env: ['1ETCD=x'] } };
    },
    path: 'core.etcd.extra_env[0]',
    message: /^"1ETCD=x" is not KEY=value/,
  },
  {
    name: 'shell metacharacters in ssh_key_path',
    edit: (d) => {
      d.option = { ssh_key_path: '~/.ssh/id_rsa;rm -rf /' };
    },
    path: 'option.ssh_key_path',
    message: '"~/.ssh/id_rsa;rm -rf /" contains characters that are not allowed in a path',
  },
  {
    name: 'command substitution in a node docker_socket',
    edit: (d) => {
      d.nodes[0].docker_socket = '/var/run/$(reboot).sock';
    },
    path: 'nodes[0].docker_socket',
    message: '"/var/run/$(reboot).sock" contains characters that are not allowed in a path',
  },
  {
    name: 'relative prefix_path',
    edit: (d) => {
      d.option = { prefix_path: 'opt/zke' };
    },
    path: 'option.prefix_path',
    message: '"opt/zke" is not an absolute path',
  },
  {
    name: 'prefix_path with ..',
    edit: (d) => {
      d.prefix_path = '/opt/../etc';
    },
    path: 'prefix_path',
    message: '"/opt/../etc" must not contain ".." segments',
  },
  {
    name: 'host key that is not a SHA256 fingerprint',
    edit: (d) => {
      d.nodes[0].host_key = 'MD5:aa:bb';
    },
    path: 'nodes[0].host_key',
    message: /^"MD5:aa:bb" is not an SSH host key fingerprint/,
  },
  {
    name: 'cluster name not a lower-case DNS name',
    edit: (d) => {
      d.cluster_name = 'My Cluster';
    },
    path: 'cluster_name',
    message: /^"My Cluster" is not a valid cluster name/,
  },
  {
    name: 'both core and services',
    edit: (d) => {
      d.core = { kubelet: { fail_swap_on: false } };
      d.services = { kubelet: { fail_swap_on: false } };
    },
    path: 'services',
    message: 'use either "core" (zke) or "services" (RKE), not both',
  },
  {
    name: 'two default registries',
    edit: (d) => {
      d.private_registries = [
        { url: 'a.example.com', is_default: true },
        { url: 'b.example.com', is_default: true },
      ];
    },
    path: 'private_registries[1].is_default',
    message: 'only one registry can be the default (also private_registries[0])',
  },
  {
    name: 'registry URL with a scheme',
    edit: (d) => {
      d.private_registries = [{ url: 'https://reg.example.com' }];
    },
    path: 'private_registries[0].url',
    message: /^"https:\/\/reg.example.com" is not a registry host/,
  },
  {
    name: 'unknown DNS provider',
    edit: (d) => {
      d.network = { dns: { provider: 'kube-dns' } };
    },
    path: 'network.dns.provider',
    message: 'unknown DNS provider "kube-dns" (known: coredns, none)',
  },
  {
    name: 'unknown ingress provider (RKE key)',
    edit: (d) => {
      d.ingress = { provider: 'haproxy' };
    },
    path: 'ingress.provider',
    message: 'unknown ingress provider "haproxy" (known: nginx, traefik, none)',
  },
  {
    name: 'ingress option value with a newline',
    edit: (d) => {
      d.network = { ingress: { options: { 'proxy-body-size': '1m\nload_module x' } } };
    },
    path: 'network.ingress.options.proxy-body-size',
    message: '"1m\\nload_module x" must not contain newlines or NUL characters',
  },
  {
    name: 'unknown authorization mode',
    edit: (d) => {
      d.authorization = { mode: 'abac' };
    },
    path: 'authorization.mode',
    message: 'unknown authorization mode "abac" (known: rbac, none)',
  },
  {
    name: 'snapshot interval not a duration',
    edit: (d) => {
      d.core = { etcd: { creation: '12 hours' } };
    },
    path: 'core.etcd.creation',
    message: '"12 hours" is not a duration like 12h, 30m or 1h30m',
  },
  {
    name: 'external etcd',
    edit: (d) => {
      d.core = { etcd: { external_urls: ['https://etcd:2379'] } };
    },
    path: 'core.etcd.external_urls',
    message: 'external etcd is not supported: give nodes the etcd role (zke runs etcd on them)',
  },
  {
    name: 'max_unavailable_worker above 100%',
    edit: (d) => {
      d.upgrade_strategy = { max_unavailable_worker: '150%' };
    },
    path: 'upgrade_strategy.max_unavailable_worker',
    message: '"150%" is not a positive count or a percentage like 10%',
  },
  {
    name: 'upstream name server not an IP',
    edit: (d) => {
      d.option = { up_stream_name_servers: ['dns.example.com'] };
    },
    path: 'option.up_stream_name_servers[0]',
    message: '"dns.example.com" is not an IP address',
  },
  {
    name: 'SAN that is neither IP nor host name',
    edit: (d) => {
      d.authentication = { sans: ['k8s example'] };
    },
    path: 'authentication.sans[0]',
    message: '"k8s example" is not an IP address or hostname',
  },
  {
    name: 'image override that is not an image reference',
    edit: (d) => {
      d.system_images = { etcd: 'Etcd Latest' };
    },
    path: 'system_images.etcd',
    message: '"Etcd Latest" is not an image reference like registry:5000/name:tag',
  },
  {
    name: 'max_parallel_hosts zero',
    edit: (d) => {
      d.max_parallel_hosts = 0;
    },
    path: 'max_parallel_hosts',
    message: '0 is not a whole number between 1 and 1000',
  },
  {
    name: 'interface name with a space',
    edit: (d) => {
      d.network = { iface: 'eth 0' };
    },
    path: 'network.iface',
    message: '"eth 0" is not a network interface name',
  },
  {
    name: 'nodes is not a list',
    edit: (d) => {
      for (const key of Object.keys(d)) delete d[key];
      d.nodes = 'cp1';
    },
    path: 'nodes',
    message: 'expected a list, got a string',
  },
];

describe('invalid specs', () => {
  test('the base spec is valid', () => {
    const result = parseClusterSpec(base());
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  });

  for (const c of CASES) {
    test(c.name, () => {
      const doc = base();
      c.edit(doc);
      const result = parseClusterSpec(doc);
      assert.equal(result.ok, false, `expected errors for: ${c.name}`);
      const errors = result.ok ? [] : result.errors;
      const atPath = errors.filter((e) => e.path === c.path);
      const matches = atPath.some((e) =>
        typeof c.message === 'string' ? e.message === c.message : c.message.test(e.message),
      );
      assert.ok(matches, `no error ${c.message} at ${c.path}; got ${JSON.stringify(errors, null, 1)}`);
    });
  }

  test('every error is reported at once: type errors, value errors and cross-field errors together', () => {
    const doc = base();
    doc.nodes[0].port = true;
    doc.nodes[1].address = '10.0.0.300';
    doc.nodes[2].address = '10.0.0.1';
    doc.network = { plugin: 'weave' };
    doc.option = { service_cidr: '10.42.0.0/16' };
    const result = parseClusterSpec(doc);
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    for (const path of [
      'nodes[0].port',
      'nodes[1].address',
      'nodes[2].address',
      'network.plugin',
      'option.service_cidr',
      'option.cluster_dns_serviceip',
    ]) {
      assert.ok(paths.includes(path), `missing ${path} in ${JSON.stringify(paths)}`);
    }
  });
});
