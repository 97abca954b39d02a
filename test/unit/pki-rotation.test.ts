// Certificate rotation (RKE `cert rotate`): new keys and serials, the service-account key preserved.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type CertBundle, generateBundle, verifyChain } from '../../model/pki/index.ts';
import { node, nonKept, opensslVerify, threeNodeInput, withNodes, writeCerts } from './pki-fixture.ts';

const SA = 'kube-service-account-token';
const CAS = ['kube-ca', 'kube-apiserver-requestheader-ca'];

describe('PKI rotation', () => {
  const input = withNodes(threeNodeInput(), [
    ...threeNodeInput().nodes,
    node('etcd2', '10.0.0.6', ['etcd']),
    node('etcd3', '10.0.0.7', ['etcd']),
  ]);
  let first: CertBundle;
  before(async () => {
    first = (await generateBundle(input)).bundle;
  });

  test('rotating all services: new keys and serials for every service certificate but the SA key', async () => {
    const { bundle, changes } = await generateBundle(input, first, { rotate: {} });
    const leaves = Object.keys(first).filter((n) => !CAS.includes(n) && n !== SA);
    assert.deepEqual(nonKept(changes), leaves.map((n) => `reissued ${n}`).sort());
    for (const name of leaves) {
      assert.notEqual(bundle[name]!.keyPem, first[name]!.keyPem, name);
      assert.notEqual(bundle[name]!.serial, first[name]!.serial, name);
    }
    for (const name of [...CAS, SA]) assert.deepEqual(bundle[name], first[name], name);
    assert.deepEqual(verifyChain(bundle), []);
  });

  test('rotating chosen services re-issues only their certificates', async () => {
    const { bundle, changes } = await generateBundle(input, first, {
      rotate: { services: ['kubelet', 'etcd'] },
    });
    assert.deepEqual(nonKept(changes), [
      'reissued kube-etcd-10-0-0-6',
      'reissued kube-etcd-10-0-0-7',
      'reissued kube-etcd-192-168-0-1',
      'reissued kube-node',
    ]);
    assert.ok(
      changes
        .filter((c) => c.action === 'reissued')
        .every((c) => c.newKey && c.reason === 'rotation requested'),
    );
    assert.notEqual(bundle['kube-node']!.keyPem, first['kube-node']!.keyPem);
    assert.deepEqual(bundle['kube-proxy'], first['kube-proxy']);
  });

  test('a certificate name is accepted as a service; unknown names are refused', async () => {
    const { changes } = await generateBundle(input, first, { rotate: { services: ['kube-admin'] } });
    assert.deepEqual(nonKept(changes), ['reissued kube-admin']);
    await assert.rejects(
      generateBundle(input, first, { rotate: { services: ['kube-dns'] } }),
      /cannot rotate kube-dns/,
    );
    await assert.rejects(generateBundle(input, first, { rotate: { services: ['kube-ca'] } }), /ca: true/);
  });

  test('rotating the CA re-issues everything; only the SA key survives', async () => {
    const { bundle, changes } = await generateBundle(input, first, { rotate: { ca: true } });
    assert.ok(changes.every((c) => c.action === 'reissued'));
    for (const name of Object.keys(first)) {
      assert.notEqual(bundle[name]!.serial, first[name]!.serial, name);
      assert.notEqual(bundle[name]!.certPem, first[name]!.certPem, name);
      const sameKey = bundle[name]!.keyPem === first[name]!.keyPem;
      assert.equal(sameKey, name === SA, name);
    }
    assert.equal(changes.find((c) => c.name === SA)!.reason, 'signer kube-ca reissued');
    const dir = writeCerts(bundle);
    for (const entry of Object.values(bundle)) {
      assert.equal(opensslVerify(dir, entry.name, entry.signer), `${dir}/${entry.name}.pem: OK`);
    }
  });

  test('after a CA rotation, the old certificates no longer verify against the new CA', async () => {
    const { bundle } = await generateBundle(input, first, { rotate: { ca: true } });
    const mixed = { ...bundle, 'kube-node': first['kube-node']! };
    assert.deepEqual(verifyChain(mixed), ['kube-node: not signed by kube-ca']);
    const { changes } = await generateBundle(input, mixed);
    assert.deepEqual(nonKept(changes), ['reissued kube-node']);
    assert.equal(changes.find((c) => c.name === 'kube-node')!.reason, 'not signed by the current kube-ca');
  });
});
