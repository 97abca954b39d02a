// The `loadbalancer` section: read from both formats into one model, off by default, and pools refused (with
// both sides named) when they are malformed or overlap the pod or service CIDR, a node or each other.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseClusterSpec, type SpecIssue } from '../../model/spec/index.ts';

const NODES = `
nodes:
  - {address: 10.0.0.11, roles: [etcd, controlplane, worker]}
  - {address: 10.0.0.12, internal_address: 192.168.0.12, roles: [worker]}
`;
const RKE_NODES = `
nodes:
  - {address: 10.0.0.11, user: root, role: [etcd, controlplane, worker]}
  - {address: 10.0.0.12, internal_address: 192.168.0.12, user: root, role: [worker]}
`;

function zke(section: string): string {
  return `${NODES}network:\n  loadbalancer: ${section}\n`;
}

function errorsOf(yaml: string): SpecIssue[] {
  const result = parseClusterSpec(yaml);
  assert.ok(!result.ok, 'expected errors');
  return [...result.errors];
}

describe('loadbalancer: parsing', () => {
  test('off by default: provider none, no pools', () => {
    const result = parseClusterSpec(NODES);
    assert.ok(result.ok);
    assert.deepEqual(result.spec.loadBalancer, { provider: 'none', mode: 'l2', addressPools: [] });
  });

  test('zke format (under network) and RKE format (top level) give the same model; unnamed pools are numbered', () => {
    const section =
      '{provider: metallb, address_pools: [{name: web, addresses: [10.0.0.200-10.0.0.210]}, {addresses: [10.0.1.0/28]}]}';
    const fromZke = parseClusterSpec(zke(section));
    const fromRke = parseClusterSpec(`${RKE_NODES}loadbalancer: ${section}\n`);
    assert.ok(fromZke.ok && fromRke.ok, JSON.stringify([fromZke, fromRke]));
    assert.equal(fromRke.spec.sourceFormat, 'rke');
    const expected = {
      provider: 'metallb',
      mode: 'l2',
      addressPools: [
        { name: 'web', addresses: ['10.0.0.200-10.0.0.210'] },
        { name: 'pool-2', addresses: ['10.0.1.0/28'] },
      ],
    };
    assert.deepEqual(fromZke.spec.loadBalancer, expected);
    assert.deepEqual(fromRke.spec.loadBalancer, expected);
  });

  test('an unknown provider or mode is an error at the path of the file format', () => {
    assert.deepEqual(errorsOf(zke('{provider: f5, mode: bgp}')), [
      {
        path: 'network.loadbalancer.provider',
        message: 'unknown load balancer provider "f5" (known: metallb, none)',
      },
      { path: 'network.loadbalancer.mode', message: 'unknown load balancer mode "bgp" (known: l2)' },
    ]);
    const rke = errorsOf(`${RKE_NODES}loadbalancer: {provider: f5}\n`);
    assert.deepEqual(
      rke.map((e) => e.path),
      ['loadbalancer.provider'],
    );
  });

  test('metallb without addresses is refused', () => {
    assert.deepEqual(errorsOf(zke('{provider: metallb}')), [
      {
        path: 'network.loadbalancer.address_pools',
        message: 'metallb needs at least one address pool with addresses',
      },
    ]);
  });

  test("provider none checks nothing: pools left in the file don't matter", () => {
    assert.ok(parseClusterSpec(zke('{provider: none, address_pools: [{addresses: [10.42.0.0/24]}]}')).ok);
  });
});

describe('loadbalancer: address pools', () => {
  const pools = (...addresses: string[]) =>
    zke(`{provider: metallb, address_pools: [{name: a, addresses: [${addresses.join(', ')}]}]}`);
  const at = (j: number) => `network.loadbalancer.address_pools[0].addresses[${j}]`;

  test('malformed ranges and CIDRs are refused', () => {
    assert.deepEqual(errorsOf(pools('10.0.0.210-10.0.0.200', '10.0.0.300-10.0.0.310', '10.0.2.1/24')), [
      { path: at(0), message: '"10.0.0.210-10.0.0.200" ends before it starts' },
      {
        path: at(1),
        message: '"10.0.0.300-10.0.0.310" is not an IPv4 range (like 10.0.0.200-10.0.0.210) or CIDR',
      },
      { path: at(2), message: '"10.0.2.1/24" has host bits set (did you mean 10.0.2.0/24?)' },
    ]);
  });

  test('a pool overlapping the pod CIDR, the service CIDR or a node address is refused, naming both', () => {
    assert.deepEqual(
      errorsOf(pools('10.42.255.0/24', '10.43.0.0-10.43.0.9', '10.0.0.10-10.0.0.11', '192.168.0.12/32')),
      [
        { path: at(0), message: '10.42.255.0/24 overlaps the pod CIDR 10.42.0.0/16 (option.cluster_cidr)' },
        {
          path: at(1),
          message: '10.43.0.0-10.43.0.9 overlaps the service CIDR 10.43.0.0/16 (option.service_cidr)',
        },
        {
          path: at(2),
          message: "10.0.0.10-10.0.0.11 overlaps node 10.0.0.11's address 10.0.0.11 (nodes[0].address)",
        },
        {
          path: at(3),
          message:
            "192.168.0.12/32 overlaps node 10.0.0.12's internal address 192.168.0.12 (nodes[1].internal_address)",
        },
      ],
    );
  });

  test('the CIDRs are the ones the spec sets, at the path it set them (RKE format)', () => {
    const rke = `${RKE_NODES}services: {kube-controller: {cluster_cidr: 10.100.0.0/16}}
loadbalancer: {provider: metallb, address_pools: [{addresses: [10.100.1.0/24]}]}\n`;
    assert.deepEqual(errorsOf(rke), [
      {
        path: 'loadbalancer.address_pools[0].addresses[0]',
        message: '10.100.1.0/24 overlaps the pod CIDR 10.100.0.0/16 (services.kube-controller.cluster_cidr)',
      },
    ]);
  });

  test('pools must not overlap each other, and their names must be distinct labels', () => {
    const section = `{provider: metallb, address_pools: [
      {name: a, addresses: [10.0.0.200-10.0.0.210]},
      {name: a, addresses: [10.0.0.208/29]},
      {name: Not_A_Label, addresses: [10.0.3.0/24]}]}`;
    assert.deepEqual(errorsOf(zke(section)), [
      {
        path: 'network.loadbalancer.address_pools[1].name',
        message: '"a" also names network.loadbalancer.address_pools[0]',
      },
      {
        path: 'network.loadbalancer.address_pools[1].addresses[0]',
        message:
          '10.0.0.208/29 overlaps 10.0.0.200-10.0.0.210 (network.loadbalancer.address_pools[0].addresses[0])',
      },
      {
        path: 'network.loadbalancer.address_pools[2].name',
        message:
          '"Not_A_Label" is not a valid DNS-1123 label (at most 63 lower-case letters, digits and "-")',
      },
    ]);
  });

  test('pools clear of everything are accepted', () => {
    assert.ok(parseClusterSpec(pools('10.0.0.200-10.0.0.210', '10.0.1.0/28')).ok);
  });
});
