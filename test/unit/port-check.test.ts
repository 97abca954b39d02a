// The preflight port checks as data (model/plan/ports.ts): which ports each host must hold, which peers' ports
// it must reach — RKE's etcd ↔ etcd, control plane → etcd and kubelets, workers → API servers, plus VXLAN.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePort, portChecks } from '../../model/plan/ports.ts';
import { specFrom } from './plan-fixture.ts';

const THREE = `
nodes:
  - {name: cp, address: 10.9.0.1, roles: [etcd, controlplane]}
  - {name: e2, address: 10.9.0.2, roles: [etcd, worker]}
  - {name: w, address: 10.9.0.3, internal_address: 192.168.0.3, roles: [worker]}
`;

const byHost = (yaml: string) => Object.fromEntries(portChecks(specFrom(yaml)).map((c) => [c.host, c]));
const listed = (ports: readonly { port: number; protocol: string }[]) =>
  ports.map((p) => `${p.port}/${p.protocol}`);
const probed = (probes: readonly { host: string; port: number; protocol: string }[]) =>
  probes.map((p) => `${p.host}:${p.port}/${p.protocol}`).sort();

test('ports each host must hold, by role', () => {
  const checks = byHost(THREE);
  assert.deepEqual(listed(checks.cp.listen), ['2379/tcp', '2380/tcp', '6443/tcp', '10250/tcp', '8472/udp']);
  assert.deepEqual(listed(checks.e2.listen), ['2379/tcp', '2380/tcp', '10250/tcp', '8472/udp']);
  assert.deepEqual(listed(checks.w.listen), ['10250/tcp', '8472/udp']);
});

test("peers' ports each host must reach, at their internal addresses", () => {
  const checks = byHost(THREE);
  assert.deepEqual(probed(checks.cp.probes), [
    'e2:10250/tcp',
    'e2:2379/tcp',
    'e2:2380/tcp',
    'e2:8472/udp',
    'w:10250/tcp',
    'w:8472/udp',
  ]);
  assert.deepEqual(probed(checks.e2.probes), [
    'cp:2379/tcp',
    'cp:2380/tcp',
    'cp:6443/tcp',
    'cp:8472/udp',
    'w:8472/udp',
  ]);
  assert.deepEqual(probed(checks.w.probes), ['cp:6443/tcp', 'cp:8472/udp', 'e2:8472/udp']);
  assert.equal(checks.cp.probes.find((p) => p.host === 'w')?.address, '192.168.0.3');
});

test('one host: its ports are checked, there is no peer; no VXLAN port without flannel', () => {
  const one = byHost('nodes: [{name: a, address: 10.9.0.1, roles: [etcd, controlplane, worker]}]\n');
  assert.deepEqual(listed(one.a.listen), ['2379/tcp', '2380/tcp', '6443/tcp', '10250/tcp', '8472/udp']);
  assert.deepEqual(one.a.probes, []);
  const none = byHost(`${THREE}network: {plugin: none}\n`);
  assert.ok(!listed(none.cp.listen).includes('8472/udp'));
  assert.ok(!probed(none.cp.probes).some((p) => p.endsWith('/udp')));
  assert.equal(describePort(none.cp.listen[0]!), '2379/tcp (etcd client)');
});
