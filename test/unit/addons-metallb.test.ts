// The MetalLB addon: its pools and layer-2 advertisement come from the spec, its webhook is off, CRDs go before
// the objects of their kinds; what a new spec no longer renders is deleted (and only for pruned addons); the
// dry-run names it.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { planChanges } from '../../api/service/plan.ts';
import { renderPlan } from '../../cli/commands/plan.ts';
import { addonObjects, addonsToPrune, describeAddons, prunedObjects } from '../../model/addons/index.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { at, describe, find, threeNodeSpec, withMetallb } from './addons-fixture.ts';

const NS = 'metallb-system';

suite('metallb objects', () => {
  const objects = addonObjects(withMetallb(), 'metallb');

  test('one IPAddressPool per spec pool with its addresses, one L2Advertisement naming them all', () => {
    const pools = objects.filter((o) => o.kind === 'IPAddressPool');
    assert.deepEqual(
      pools.map((p) => [p.metadata.namespace, p.metadata.name, at(p, 'spec.addresses')]),
      [
        [NS, 'web', ['10.0.0.200-10.0.0.210']],
        [NS, 'extra', ['10.0.1.0/28']],
      ],
    );
    assert.deepEqual(at(find(objects, 'L2Advertisement', 'zke-l2'), 'spec.ipAddressPools'), ['web', 'extra']);
  });

  test('the namespace first, then the CRDs, before any object of their kinds', () => {
    assert.equal(describe(objects[0]!), `Namespace/${NS}`);
    const firstOf = (kind: string) => objects.findIndex((o) => o.kind === kind);
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    for (const kind of ['IPAddressPool', 'L2Advertisement']) {
      const crd = crds.findIndex((c) => at(c, 'spec.names.kind') === kind);
      assert.ok(crd >= 0 && firstOf('CustomResourceDefinition') + crd < firstOf(kind), kind);
    }
    assert.deepEqual(
      crds.map((c) => c.metadata.name).filter((n) => n.startsWith('bgppeers')),
      ['bgppeers.metallb.io'],
    );
  });

  test('controller (webhook off, memberlist secret) and speaker (host network, NET_RAW) run the spec image', () => {
    const image = withMetallb().systemImages.metallb;
    const controller = at(find(objects, 'Deployment', 'controller'), 'spec.template.spec.containers') as {
      image: string;
      command: string[];
      args: string[];
      env: { name: string; value?: string }[];
    }[];
    assert.equal(controller[0]!.image, image);
    assert.deepEqual(controller[0]!.command, ['/controller']);
    assert.ok(controller[0]!.args.includes('--webhook-mode=disabled'));
    assert.ok(
      controller[0]!.env.some((e) => e.name === 'METALLB_ML_SECRET_NAME' && e.value === 'memberlist'),
    );
    const speaker = at(find(objects, 'DaemonSet', 'speaker'), 'spec.template.spec') as {
      hostNetwork: boolean;
      containers: {
        image: string;
        command: string[];
        securityContext: { capabilities: { add: string[] } };
      }[];
    };
    assert.equal(speaker.hostNetwork, true);
    assert.equal(speaker.containers[0]!.image, image);
    assert.deepEqual(speaker.containers[0]!.command, ['/speaker']);
    assert.deepEqual(speaker.containers[0]!.securityContext.capabilities.add, ['NET_RAW']);
  });
});

suite('pruning', () => {
  const on = withMetallb();
  const off = threeNodeSpec();

  test('turning the load balancer off deletes every object it had, pools first, the namespace last', () => {
    const stale = prunedObjects(on, off, 'metallb');
    assert.deepEqual(stale.map(describe), addonObjects(on, 'metallb').map(describe).reverse());
    assert.equal(describe(stale.at(-1)!), `Namespace/${NS}`);
    assert.deepEqual(addonsToPrune(on, off), ['metallb']);
  });

  test('a pool taken out is deleted, nothing else; an unchanged spec deletes nothing', () => {
    const fewer = {
      ...on,
      loadBalancer: { ...on.loadBalancer, addressPools: on.loadBalancer.addressPools.slice(0, 1) },
    };
    assert.deepEqual(prunedObjects(on, fewer, 'metallb').map(describe), ['IPAddressPool/extra']);
    assert.deepEqual(prunedObjects(on, on, 'metallb'), []);
    assert.deepEqual(addonsToPrune(on, on), []);
  });

  test('nothing to delete when it was off before, nor for addons zke does not prune', () => {
    assert.deepEqual(prunedObjects(off, on, 'metallb'), []);
    const noNetwork = { ...on, network: { ...on.network, plugin: 'none' as const } };
    assert.deepEqual(prunedObjects(on, noNetwork, 'network'), []);
  });

  test('ingress, metrics server and DNS turned off are deleted, as RKE does; never a namespace of theirs', () => {
    const allOff = {
      ...on,
      ingress: { ...on.ingress, provider: 'none' as const },
      monitoring: { ...on.monitoring, provider: 'none' as const },
      dns: { ...on.dns, provider: 'none' as const },
    };
    assert.deepEqual(addonsToPrune(on, allOff), ['coredns', 'metrics-server', 'ingress']);
    for (const addon of ['coredns', 'metrics-server', 'ingress'] as const) {
      const stale = prunedObjects(on, allOff, addon);
      assert.deepEqual(stale.map(describe), addonObjects(on, addon).map(describe).reverse());
      assert.ok(!stale.some((o) => o.kind === 'Namespace'), `${addon} deletes a namespace`);
    }
    assert.ok(prunedObjects(on, allOff, 'metrics-server').some((o) => o.kind === 'APIService'));
  });

  test('a revision stored before the load balancer existed (no loadBalancer field) has it off', () => {
    const { loadBalancer: _gone, ...old } = off;
    assert.deepEqual(addonsToPrune(old as typeof off, off), []);
  });
});

suite('the dry-run', () => {
  test('lists the addons, the load balancer with its mode and pools', () => {
    const lines = describeAddons(withMetallb());
    assert.deepEqual(lines.slice(-2), [
      'ingress',
      'metallb (layer 2): web 10.0.0.200-10.0.0.210; extra 10.0.1.0/28',
    ]);
    assert.deepEqual(buildPlan(withMetallb()).addons, lines);
    assert.ok(!describeAddons(threeNodeSpec()).some((line) => line.startsWith('metallb')));
  });

  test('zke plan prints them', () => {
    const text = renderPlan(buildPlan(withMetallb()), []);
    assert.match(
      text,
      /\nAddons:\n( {2}.*\n)* {2}metallb \(layer 2\): web 10\.0\.0\.200-10\.0\.0\.210; extra 10\.0\.1\.0\/28/,
    );
  });

  test("the API's plan names the addons and those whose objects it deletes", () => {
    const removing = planChanges({ target: threeNodeSpec(), applied: withMetallb(), fromRevision: 1 });
    assert.deepEqual(removing.prunedAddons, ['metallb']);
    assert.ok(!removing.addons.some((line) => line.startsWith('metallb')));
    const adding = planChanges({ target: withMetallb(), applied: threeNodeSpec(), fromRevision: 1 });
    assert.deepEqual(adding.prunedAddons, []);
    assert.equal(adding.addons.at(-1), describeAddons(withMetallb()).at(-1));
    assert.deepEqual(planChanges({ target: withMetallb() }).prunedAddons, []);
  });
});
