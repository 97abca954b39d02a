// Parsing cluster.yml: both formats to one model, defaults, aliases, secrets, YAML limits, warnings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type ClusterSpec, parseClusterSpec, redactSecrets } from '../../model/spec/index.ts';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS } from '../../model/versions.ts';

const EXAMPLES = join(import.meta.dirname, '../../examples');
const example = (name: string) => readFileSync(join(EXAMPLES, name), 'utf8');

function parseOk(input: string | object): {
  spec: ClusterSpec;
  warnings: readonly { path: string; message: string }[];
} {
  const result = parseClusterSpec(input);
  if (!result.ok) assert.fail(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return result;
}

/** The model less what depends on the format by design: RKE runs ingress on workers, zke on edge nodes. */
const withoutFormat = ({ sourceFormat: _format, ...rest }: ClusterSpec) => ({
  ...rest,
  ingress: { ...rest.ingress, nodeSelector: {} },
});

const MINIMAL = `
nodes:
  - address: 10.0.0.1
    roles: [etcd, controlplane, worker]
`;

describe('examples', () => {
  test('the zke-format and the RKE-format example parse to the same model', () => {
    const zke = parseOk(example('zke-cluster.yml'));
    const rke = parseOk(example('rke-cluster.yml'));
    assert.equal(zke.spec.sourceFormat, 'zke');
    assert.equal(rke.spec.sourceFormat, 'rke');
    assert.deepEqual(withoutFormat(rke.spec), withoutFormat(zke.spec));
    assert.deepEqual(rke.spec.ingress.nodeSelector, { 'node-role.kubernetes.io/worker': 'true' });
    assert.deepEqual(zke.spec.ingress.nodeSelector, { 'node-role.kubernetes.io/edge': 'true' });
    assert.deepEqual(zke.warnings, []);
    assert.deepEqual(rke.warnings, []);
  });

  test('the examples carry their settings into the model', () => {
    const { spec } = parseOk(example('zke-cluster.yml'));
    assert.equal(spec.clusterName, 'demo');
    assert.deepEqual(
      spec.nodes.map((n) => [n.name, n.internalAddress, n.ssh.port, n.roles.join('+')]),
      [
        ['master1', '10.0.0.11', 22, 'etcd+controlplane'],
        ['worker1', '10.0.0.21', 22, 'worker'],
        ['edge1', '10.0.0.31', 2222, 'edge+worker'],
      ],
    );
    assert.equal(spec.network.iface, 'eth1');
    assert.deepEqual(spec.services.kubelet.extraArgs, { 'max-pods': '150' });
    assert.deepEqual(spec.services.etcd.snapshot, { enabled: true, creation: '6h', retention: '24h' });
    assert.equal(spec.systemImages.kubernetes, 'registry.example.com:5000/zke/hyperkube:v1.34.4');
  });

  test('both starters written by `zke config` are valid', () => {
    for (const file of ['starter-zke.yml', 'starter-rke.yml']) parseOk(example(file));
  });
});

describe('defaults', () => {
  test('a minimal spec gets zke/RKE defaults', () => {
    const { spec } = parseOk(MINIMAL);
    assert.equal(spec.clusterName, 'local');
    assert.equal(spec.kubernetesVersion, DEFAULT_KUBERNETES_VERSION);
    // the newest version npm test provisions and upgrades to; the table goes on to newer ones
    assert.equal(DEFAULT_KUBERNETES_VERSION, 'v1.34.4');
    assert.ok(KUBERNETES_VERSIONS.some((v) => v.version === DEFAULT_KUBERNETES_VERSION));
    assert.deepEqual(
      { ...spec.network },
      {
        plugin: 'flannel',
        options: { flannel_backend_type: 'vxlan' },
        podCidr: '10.42.0.0/16',
        serviceCidr: '10.43.0.0/16',
        clusterDomain: 'cluster.local',
        dnsServiceIp: '10.43.0.10',
        kubernetesServiceIp: '10.43.0.1',
      },
    );
    assert.equal(spec.dns.provider, 'coredns');
    assert.equal(spec.ingress.provider, 'nginx');
    assert.deepEqual(spec.ingress.nodeSelector, { 'node-role.kubernetes.io/edge': 'true' });
    assert.equal(spec.monitoring.provider, 'metrics-server');
    assert.deepEqual(spec.services.etcd.snapshot, { enabled: true, creation: '12h', retention: '72h' });
    assert.equal(spec.authentication.strategy, 'x509');
    assert.equal(spec.authorization.mode, 'rbac');
    assert.equal(spec.prefixPath, '/');
    assert.equal(spec.maxParallelHosts, 50);
    assert.equal(spec.certValidityDays, 3650);
    assert.equal(spec.certKeyAlgorithm, 'RSA-2048');
    const [node] = spec.nodes;
    assert.deepEqual(node!.ssh, { user: 'zcloud', port: 22, keyPath: '~/.ssh/id_rsa' });
    assert.equal(node!.dockerSocket, '/var/run/docker.sock');
    assert.equal(node!.name, '10.0.0.1');
    assert.equal(node!.internalAddress, '10.0.0.1');
  });

  test('cert_key_algorithm picks the key type of new certificate keys', () => {
    const { spec } = parseOk(`${MINIMAL}cert_key_algorithm: ECDSA-P256\n`);
    assert.equal(spec.certKeyAlgorithm, 'ECDSA-P256');
  });

  test('node names default to the address, lower-cased', () => {
    const { spec } = parseOk(`nodes: [{address: Node1.Example.COM, roles: [etcd, controlplane, worker]}]`);
    assert.equal(spec.nodes[0]!.name, 'node1.example.com');
  });

  test('per-node SSH settings override option.*', () => {
    const { spec } = parseOk(`
option: {ssh_user: admin, ssh_port: "2200", ssh_key_path: /keys/a, docker_socket: /run/d.sock}
nodes:
  - {address: 10.0.0.1, roles: [etcd, controlplane, worker]}
  - {address: 10.0.0.2, roles: [worker], user: ops, port: 22, ssh_key_path: /keys/b, docker_socket: /run/x.sock}
`);
    assert.deepEqual(
      spec.nodes.map((n) => [n.ssh.user, n.ssh.port, n.ssh.keyPath, n.dockerSocket]),
      [
        ['admin', 2200, '/keys/a', '/run/d.sock'],
        ['ops', 22, '/keys/b', '/run/x.sock'],
      ],
    );
  });

  test('`key:` without a value counts as not given', () => {
    const { spec } = parseOk(`${MINIMAL}core:\n  etcd:\n  kubelet:\noption:\n`);
    assert.equal(spec.services.etcd.snapshot.enabled, true);
  });
});

describe('versions and aliases', () => {
  test("zke's misspelt kubetnetes_version is read", () => {
    const { spec } = parseOk(`${MINIMAL}option: {kubetnetes_version: v1.33.13}`);
    assert.equal(spec.kubernetesVersion, 'v1.33.13');
    assert.equal(spec.systemImages.kubernetes, 'zke/hyperkube:v1.33.13');
  });

  test('a minor version or an RKE suffix resolves to a known version, with a warning', () => {
    const minor = parseOk(`${MINIMAL}kubernetes_version: "1.33"`);
    assert.equal(minor.spec.kubernetesVersion, 'v1.33.13');
    assert.match(minor.warnings[0]!.message, /read as v1\.33\.13/);
    const rke = parseOk(`${MINIMAL}kubernetes_version: v1.34.4-rancher1-1`);
    assert.equal(rke.spec.kubernetesVersion, 'v1.34.4');
  });

  test('system_images (RKE) and image (zke) override single images; aliases map to our keys', () => {
    const { spec } = parseOk(`${MINIMAL}system_images: {etcd: my/etcd:3.5.0, alpine: my/tools:2}`);
    assert.equal(spec.systemImages.etcd, 'my/etcd:3.5.0');
    assert.equal(spec.systemImages.tools, 'my/tools:2');
    assert.equal(spec.systemImages.kubernetes, `zke/hyperkube:${DEFAULT_KUBERNETES_VERSION}`);
  });

  test('the default private registry prefixes table images but not explicit overrides', () => {
    const { spec } = parseOk(`${MINIMAL}
private_registries: [{url: reg.local:5000, is_default: true}]
image: {coredns: other/coredns:1}`);
    assert.equal(spec.systemImages.etcd, 'reg.local:5000/zke/etcd:v3.6.17');
    assert.equal(spec.systemImages.coredns, 'other/coredns:1');
  });

  test('RKE backup_config maps to the snapshot interval and retention', () => {
    const { spec } = parseOk(
      `${MINIMAL}services: {etcd: {backup_config: {enabled: true, interval_hours: 6, retention: 4}}}`,
    );
    assert.deepEqual(spec.services.etcd.snapshot, { enabled: true, creation: '6h', retention: '24h' });
  });
});

describe('secrets', () => {
  test('inline SSH keys and registry passwords are marked secret, warned about and redactable', () => {
    const result = parseOk(`
nodes: [{address: 10.0.0.1, roles: [etcd, controlplane, worker], ssh_key: "-----BEGIN KEY-----"}]
private_registries: [{url: reg.local, user: u, password: p4ss}]`);
    const node = result.spec.nodes[0]!;
    assert.deepEqual(node.ssh.key, { secret: true, value: '-----BEGIN KEY-----' });
    assert.deepEqual(result.spec.privateRegistries[0]!.password, { secret: true, value: 'p4ss' });
    assert.ok(result.warnings.some((w) => w.path === 'nodes[0].ssh_key' && /secret/.test(w.message)));
    const shown = JSON.stringify(redactSecrets(result.spec));
    assert.ok(!shown.includes('BEGIN KEY') && !shown.includes('p4ss'));
    assert.ok(shown.includes('(secret)'));
  });
});

describe('warnings', () => {
  test('unknown keys are reported with their path and ignored; config_version is accepted silently', () => {
    const result = parseOk(
      `${MINIMAL}config_version: v1.0.10\nloadbalance: {enable: false}\noption: {sssh_user: x}`,
    );
    assert.deepEqual(
      [...result.warnings.filter((w) => w.path !== 'nodes')].sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: 'loadbalance', message: 'no effect: the load balancer is not enabled' },
        { path: 'option.sssh_user', message: 'unknown key "sssh_user" (ignored)' },
      ],
    );
  });

  test('an even number of etcd nodes is a warning, not an error', () => {
    const result = parseOk(`
nodes:
  - {address: 10.0.0.1, roles: [etcd, controlplane, worker]}
  - {address: 10.0.0.2, roles: [etcd, worker]}`);
    assert.ok(result.warnings.some((w) => w.path === 'nodes' && /2 etcd nodes/.test(w.message)));
  });

  test('ingress on edge nodes only: a warning when no node is edge', () => {
    const result = parseOk(MINIMAL);
    assert.ok(result.warnings.some((w) => /no node has the edge role/.test(w.message)));
    const none = parseOk(`${MINIMAL}ingress: {provider: none}`);
    assert.ok(!none.warnings.some((w) => /edge role/.test(w.message)));
  });
});

describe('YAML limits', () => {
  test('an alias bomb is refused', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(',')}]`);
    }
    const result = parseClusterSpec(levels.join('\n'));
    assert.equal(result.ok, false);
    assert.match(JSON.stringify(!result.ok && result.errors), /alias|values/i);
  });

  test('excessive nesting is refused', () => {
    const deep = `${'['.repeat(60)}${']'.repeat(60)}`;
    const result = parseClusterSpec(`nodes: ${deep}`);
    assert.equal(result.ok, false);
    assert.match(JSON.stringify(!result.ok && result.errors), /nested deeper/);
  });

  test('YAML syntax errors and duplicate keys name the line', () => {
    const result = parseClusterSpec('cluster_name: a\ncluster_name: b\n');
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.errors[0]!.path : '', /yaml line 2/);
  });

  test('an already parsed object is accepted as input', () => {
    const { spec } = parseOk({ nodes: [{ address: '10.0.0.1', roles: ['etcd', 'controlplane', 'worker'] }] });
    assert.equal(spec.nodes.length, 1);
  });
});
