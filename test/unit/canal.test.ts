// canal (issue 16 item 3): RKE's default network plugin, given as what its users get from it, flannel's VXLAN
// plus enforced NetworkPolicy (kube-router's policy controller). What a user sees: which plugin a file means,
// the errors and warnings its network options and images get, and the objects the network addon applies.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { planChanges } from '../../api/service/plan.ts';
import { renderPlan } from '../../cli/commands/plan.ts';
import { addonObjects, flannelNetConf, type KubeObject } from '../../model/addons/index.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { portChecks } from '../../model/plan/ports.ts';
import { rkeConfigOf } from '../../model/rkestate/rke-config.ts';
import { type ClusterSpec, parseClusterSpec } from '../../model/spec/index.ts';
import { at, find } from './addons-fixture.ts';

const RKE_NODES = [
  { address: '10.0.0.1', user: 'rke', role: ['controlplane', 'etcd', 'worker'] },
  { address: '10.0.0.2', user: 'rke', role: ['worker'] },
];
const ZKE_NODES = [
  { address: '10.0.0.1', roles: ['controlplane', 'etcd', 'worker'] },
  { address: '10.0.0.2', roles: ['worker'] },
];

function parsed(extra: Record<string, unknown>, nodes: unknown[] = RKE_NODES) {
  return parseClusterSpec({ nodes, ...extra });
}

function valid(extra: Record<string, unknown>, nodes?: unknown[]) {
  const result = parsed(extra, nodes);
  if (!result.ok) assert.fail(`expected a valid spec, got ${JSON.stringify(result.errors)}`);
  return { spec: result.spec, warnings: result.warnings.map((w) => `${w.path}: ${w.message}`) };
}

function errors(extra: Record<string, unknown>, nodes?: unknown[]): string[] {
  const result = parsed(extra, nodes);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

const names = (objects: KubeObject[], kind: string) =>
  objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);

interface Pod {
  readonly containers: { args: string[]; image: string; securityContext: unknown; env: unknown }[];
  readonly [field: string]: unknown;
}

function podOf(objects: KubeObject[], name: string): Pod {
  return at(find(objects, 'DaemonSet', name), 'spec.template.spec') as Pod;
}

suite('which plugin a file means', () => {
  test('an RKE-format file without network.plugin runs canal, as RKE; an empty plugin too', () => {
    assert.equal(valid({}).spec.network.plugin, 'canal');
    assert.equal(valid({ network: { plugin: '' } }).spec.network.plugin, 'canal');
    assert.equal(valid({ network: { plugin: 'canal' } }).spec.network.plugin, 'canal');
  });

  test("a zke-format file without network.plugin keeps zke's flannel; it may ask for canal", () => {
    assert.equal(valid({}, ZKE_NODES).spec.network.plugin, 'flannel');
    assert.equal(valid({ network: { plugin: 'canal' } }, ZKE_NODES).spec.network.plugin, 'canal');
    assert.equal(valid({ network: { plugin: 'flannel' } }).spec.network.plugin, 'flannel');
  });

  test('calico and weave are refused, naming the plugins zke runs', () => {
    for (const plugin of ['calico', 'weave']) {
      assert.deepEqual(errors({ network: { plugin } }), [
        `network.plugin: unknown network plugin "${plugin}" (known: flannel, canal, none)`,
      ]);
    }
  });
});

suite("canal's options (RKE's names)", () => {
  test('canal_flannel_backend_* and canal_iface configure its flannel', () => {
    const { spec } = valid({
      network: {
        options: {
          canal_iface: 'eth1',
          canal_flannel_backend_type: 'vxlan',
          canal_flannel_backend_vni: '4096',
          canal_flannel_backend_port: '4789',
        },
      },
    });
    assert.equal(spec.network.iface, 'eth1');
    const backend = JSON.parse(flannelNetConf(spec.network)).Backend;
    assert.deepEqual(backend, { Type: 'vxlan', DirectRouting: true, VNI: 4096, Port: 4789 });
    const flanneld = podOf(addonObjects(spec, 'network'), 'kube-flannel').containers[0];
    assert.ok(flanneld.args.includes('--iface=eth1'), flanneld.args.join(' '));
  });

  test('canal_network_provider.iface is the interface too', () => {
    const { spec } = valid({ network: { canal_network_provider: { iface: 'ens4' } } });
    assert.equal(spec.network.iface, 'ens4');
  });

  test('canal_priority_class_name is the priority class of both DaemonSets', () => {
    const { spec } = valid({ network: { options: { canal_priority_class_name: 'network-critical' } } });
    const objects = addonObjects(spec, 'network');
    for (const name of ['kube-flannel', 'kube-router'])
      assert.equal(podOf(objects, name).priorityClassName, 'network-critical', name);
    const plain = addonObjects(valid({}).spec, 'network');
    assert.equal(podOf(plain, 'kube-router').priorityClassName, 'system-node-critical');
  });

  test("kube_flannel_priority_class_name is flannel's; with canal it is an error at that key", () => {
    const options = { kube_flannel_priority_class_name: 'network-critical' };
    const { spec } = valid({ network: { plugin: 'flannel', options } });
    assert.equal(podOf(addonObjects(spec, 'network'), 'kube-flannel').priorityClassName, 'network-critical');
    assert.deepEqual((rkeConfigOf(spec).network as { options: unknown }).options, {
      flannel_backend_type: 'vxlan',
      kube_flannel_priority_class_name: 'network-critical',
    });
    assert.match(
      errors({ network: { plugin: 'canal', options } }).join('\n'),
      /network\.options\.kube_flannel_priority_class_name: unknown canal option/,
    );
  });

  test("Calico's options have no effect and say why; an unknown option is an error naming the known ones", () => {
    const { warnings } = valid({
      network: {
        options: {
          canal_flex_volume_plugin_dir: '/usr/libexec/kubernetes/kubelet-plugins/volume/exec/nodeagent~uds',
          calico_kube_controllers_priority_class_name: 'x',
        },
      },
    });
    assert.ok(
      warnings.some((w) =>
        w.startsWith(
          "network.options.canal_flex_volume_plugin_dir: no effect: zke's canal installs no Calico",
        ),
      ),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) =>
        w.startsWith('network.options.calico_kube_controllers_priority_class_name: no effect'),
      ),
    );
    const [unknown] = errors({ network: { options: { flannel_backend_type: 'vxlan' } } });
    assert.match(
      unknown!,
      /^network\.options\.flannel_backend_type: unknown canal option "flannel_backend_type" \(known: canal_iface, canal_flannel_backend_type, /,
    );
  });

  test("a backend canal's flannel lacks is an error at the key the file used", () => {
    assert.deepEqual(errors({ network: { options: { canal_flannel_backend_type: 'udp' } } }), [
      'network.options.canal_flannel_backend_type: unknown flannel backend "udp" (known: vxlan, host-gw)',
    ]);
  });

  test("canal's options are refused for flannel, as flannel's are for canal", () => {
    assert.match(
      errors({ network: { plugin: 'flannel', options: { canal_iface: 'eth1' } } })[0]!,
      /unknown flannel option "canal_iface"/,
    );
  });
});

suite("RKE's canal images", () => {
  test("canal_flannel is canal's flanneld image; Calico's images have no effect and say what runs instead", () => {
    const system_images = {
      canal_flannel: 'mirror.example/flannel:v1',
      canal_node: 'mirror.example/calico-node:v3',
      canal_cni: 'mirror.example/calico-cni:v3',
      canal_controllers: 'mirror.example/calico-kube-controllers:v3',
    };
    const { spec, warnings } = valid({ system_images });
    assert.equal(spec.systemImages.flannel, 'mirror.example/flannel:v1');
    for (const key of ['canal_node', 'canal_cni', 'canal_controllers']) {
      assert.ok(
        warnings.includes(
          `system_images.${key}: no effect: zke's canal runs no Calico, kube-router enforces NetworkPolicy (image network_policy)`,
        ),
        key,
      );
    }
  });

  test('with flannel, canal_flannel has no effect (RKE reads it for canal only)', () => {
    const { spec, warnings } = valid({
      network: { plugin: 'flannel' },
      system_images: { canal_flannel: 'mirror.example/flannel:v1' },
    });
    assert.notEqual(spec.systemImages.flannel, 'mirror.example/flannel:v1');
    assert.ok(warnings.some((w) => w.startsWith('system_images.canal_flannel: no effect')));
  });

  test('network_policy overrides the policy controller image', () => {
    const { spec } = valid({ system_images: { network_policy: 'mirror.example/kube-router:v2' } });
    assert.equal(
      podOf(addonObjects(spec, 'network'), 'kube-router').containers[0].image,
      'mirror.example/kube-router:v2',
    );
  });
});

suite('the network addon', () => {
  const canal = valid({ services: { 'kube-api': { service_node_port_range: '30000-31000' } } }).spec;
  const objects = addonObjects(canal, 'network');

  test("canal: flannel's DaemonSet and kube-router's, each with its own account; flannel: no kube-router", () => {
    assert.deepEqual(names(objects, 'DaemonSet'), ['kube-flannel', 'kube-router']);
    assert.deepEqual(names(objects, 'ServiceAccount'), ['flannel', 'kube-router']);
    const flannel: ClusterSpec = { ...canal, network: { ...canal.network, plugin: 'flannel' } };
    assert.deepEqual(names(addonObjects(flannel, 'network'), 'DaemonSet'), ['kube-flannel']);
    assert.ok(!JSON.stringify(addonObjects(flannel, 'network')).includes('kube-router'));
  });

  test('kube-router enforces policies only: no routing, no service proxy, the cluster service range', () => {
    const pod = podOf(objects, 'kube-router');
    const { args, image, securityContext, env } = pod.containers[0];
    assert.equal(image, canal.systemImages.network_policy);
    for (const flag of [
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      '--service-cluster-ip-range=10.43.0.0/16',
      '--service-node-port-range=30000-31000',
    ])
      assert.ok(args.includes(flag), `${flag} in ${args}`);
    assert.deepEqual(securityContext, { privileged: true });
    assert.deepEqual(env, [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }]);
    assert.equal(pod.hostNetwork, true);
    assert.deepEqual(pod.volumes, [
      { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
    ]);
  });

  test("it runs where flannel runs: every node by default, or the network's placement", () => {
    assert.deepEqual(podOf(objects, 'kube-router').tolerations, podOf(objects, 'kube-flannel').tolerations);
    const placed = valid({
      network: {
        node_selector: { net: 'yes' },
        tolerations: [{ key: 'a', operator: 'Exists' }],
        update_strategy: { strategy: 'OnDelete' },
      },
    }).spec;
    const placedObjects = addonObjects(placed, 'network');
    for (const name of ['kube-flannel', 'kube-router']) {
      const pod = podOf(placedObjects, name);
      assert.deepEqual(pod.nodeSelector, { net: 'yes' }, name);
      assert.deepEqual(pod.tolerations, [{ key: 'a', operator: 'Exists' }], name);
      assert.deepEqual(at(find(placedObjects, 'DaemonSet', name), 'spec.updateStrategy'), {
        type: 'OnDelete',
      });
    }
  });

  test('its role reads what its informers watch and the NetworkPolicies, and writes nothing', () => {
    const role = find(objects, 'ClusterRole', 'kube-router');
    const rules = role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const resources = rules.flatMap((r) => r.resources).sort();
    assert.deepEqual(resources, [
      'endpoints',
      'endpointslices',
      'namespaces',
      'networkpolicies',
      'nodes',
      'pods',
      'services',
    ]);
    for (const r of rules) assert.deepEqual(r.verbs, ['get', 'list', 'watch']);
    assert.deepEqual(at(find(objects, 'ClusterRoleBinding', 'kube-router'), 'subjects'), [
      { kind: 'ServiceAccount', name: 'kube-router', namespace: 'kube-system' },
    ]);
  });
});

suite('canal elsewhere', () => {
  test("the port check probes flannel's VXLAN port between the hosts", () => {
    const checks = portChecks(valid({}).spec);
    assert.ok(checks[0]!.probes.some((p) => p.service === 'flannel VXLAN' && p.host === '10.0.0.2'));
    const moved = portChecks(
      valid({ network: { plugin: 'canal', options: { canal_flannel_backend_port: '4789' } } }).spec,
    );
    assert.deepEqual(
      moved[0]!.probes.filter((p) => p.service === 'flannel VXLAN').map((p) => `${p.port}/${p.protocol}`),
      ['4789/udp'],
      'flannel_backend_port moves the VXLAN port, and the check with it',
    );
    assert.ok(moved[0]!.listen.some((p) => p.port === 4789 && p.protocol === 'udp'));
    const routed = valid({
      network: { plugin: 'canal', options: { canal_flannel_backend_type: 'host-gw' } },
    }).spec;
    assert.deepEqual(
      JSON.parse(flannelNetConf(routed.network)).Backend,
      { Type: 'host-gw' },
      'host-gw is honoured',
    );
    assert.ok(
      !portChecks(routed)[0]!.probes.some((p) => p.service === 'flannel VXLAN'),
      'host-gw needs no VXLAN',
    );
  });

  test("the exported rkestate names canal's options as RKE does", () => {
    const { spec } = valid({
      network: { options: { canal_flannel_backend_vni: '4096', canal_priority_class_name: 'p' } },
    });
    assert.deepEqual((rkeConfigOf(spec).network as { options: unknown }).options, {
      canal_flannel_backend_vni: '4096',
      canal_flannel_backend_type: 'vxlan',
      canal_priority_class_name: 'p',
    });
  });
});

suite('a running cluster whose plugin changes', () => {
  const RUNNING = { network: { plugin: 'flannel' } };
  const viewOf = (applied: ClusterSpec, target: ClusterSpec) =>
    planChanges({ target, applied, toRevision: 2, fromRevision: 1 });

  test('flannel to canal (an RKE-format file without a plugin): the plan says NetworkPolicies start being enforced', () => {
    const view = viewOf(valid(RUNNING).spec, valid({}).spec);
    assert.ok(view.addons.includes('network'));
    assert.deepEqual(
      view.notes.filter((n) => n.includes('network plugin')),
      [
        'the network plugin changes from flannel to canal: kube-router starts enforcing the NetworkPolicies the ' +
          'cluster holds (an RKE-format file without network.plugin means canal); write network.plugin: flannel ' +
          'to keep flannel',
      ],
    );
    assert.match(
      renderPlan({ ...buildPlan(valid({}).spec), notes: view.notes }, []),
      /\nNotes:\n {2}the network plugin changes from flannel to canal/,
    );
  });

  test('canal to flannel says kube-router stays; an unchanged plugin says nothing', () => {
    const back = viewOf(valid({}).spec, valid(RUNNING).spec);
    assert.ok(
      back.notes.some((n) =>
        /from canal to flannel: .*kube-router's DaemonSet and its iptables rules/.test(n),
      ),
    );
    assert.deepEqual(
      viewOf(valid(RUNNING).spec, valid(RUNNING).spec).notes.filter((n) => n.includes('network plugin')),
      [],
    );
  });
});
