// Key reuse and selective re-issue when the cluster changes between runs.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type CertBundle, describeCert, generateBundle, isNoop, verifyChain } from '../../model/pki/index.ts';
import { issueCertificate, issuerOf } from '../../model/pki/x509.ts';
import { NOW, node, nonKept, threeNodeInput, withNodes } from './pki-fixture.ts';

const DAY_MS = 86_400_000;

describe('PKI key reuse and selective re-issue', () => {
  const input = threeNodeInput();
  let first: CertBundle;
  before(async () => {
    first = (await generateBundle(input)).bundle;
  });

  test('the same input twice is a no-op: identical bundle, nothing reported', async () => {
    const later = { ...input, now: '2026-06-01T00:00:00Z' };
    const { bundle, changes } = await generateBundle(later, first);
    assert.deepEqual(bundle, first);
    assert.ok(isNoop(changes));
    assert.deepEqual(nonKept(changes), []);
    assert.equal(changes.length, Object.keys(first).length);
  });

  test('a new controlplane re-issues exactly kube-apiserver, same key, with the new SANs', async () => {
    const nodes = [...input.nodes, node('cp2', '10.0.0.5', ['controlplane'])];
    const { bundle, changes } = await generateBundle(withNodes(input, nodes), first);
    assert.deepEqual(nonKept(changes), ['reissued kube-apiserver']);
    const change = changes.find((c) => c.name === 'kube-apiserver')!;
    assert.equal(change.reason, 'SANs changed: + 10.0.0.5, + cp2');
    assert.equal(change.newKey, false);
    assert.equal(bundle['kube-apiserver']!.keyPem, first['kube-apiserver']!.keyPem);
    assert.notEqual(bundle['kube-apiserver']!.serial, first['kube-apiserver']!.serial);
    assert.ok(describeCert(bundle['kube-apiserver']!.certPem).sans.includes('10.0.0.5'));
    for (const name of Object.keys(first).filter((n) => n !== 'kube-apiserver')) {
      assert.deepEqual(bundle[name], first[name], name);
    }
    assert.deepEqual(verifyChain(bundle), []);
  });

  test('a new authentication.sans entry re-issues kube-apiserver only', async () => {
    const { changes } = await generateBundle(
      { ...input, extraSans: [...input.extraSans, 'k8s.example.org'] },
      first,
    );
    assert.deepEqual(nonKept(changes), ['reissued kube-apiserver']);
    assert.equal(changes.find((c) => c.name === 'kube-apiserver')!.reason, 'SANs changed: + k8s.example.org');
  });

  test('a new etcd host adds exactly its kube-etcd certificate', async () => {
    const nodes = [...input.nodes, node('etcd2', '10.0.0.6', ['etcd'], '192.168.0.6')];
    const { bundle, changes } = await generateBundle(withNodes(input, nodes), first);
    assert.deepEqual(nonKept(changes), ['created kube-etcd-192-168-0-6']);
    assert.deepEqual(bundle['kube-etcd-192-168-0-1'], first['kube-etcd-192-168-0-1']);
    const sans = describeCert(bundle['kube-etcd-192-168-0-6']!.certPem).sans;
    for (const san of ['10.0.0.6', '192.168.0.6', 'etcd2', '10.0.0.1', '127.0.0.1'])
      assert.ok(sans.includes(san), san);
  });

  test("removing an etcd host drops its certificate and keeps the others'", async () => {
    const nodes = [...input.nodes, node('etcd2', '10.0.0.6', ['etcd'])];
    const grown = (await generateBundle(withNodes(input, nodes), first)).bundle;
    const { bundle, changes } = await generateBundle(input, grown);
    assert.deepEqual(nonKept(changes), ['removed kube-etcd-10-0-0-6']);
    assert.equal(bundle['kube-etcd-10-0-0-6'], undefined);
    assert.deepEqual(bundle['kube-etcd-192-168-0-1'], first['kube-etcd-192-168-0-1']);
  });

  test('an expired kube-admin is re-signed with the same key', async () => {
    const expired = { ...first, 'kube-admin': shortLivedAdmin(first) };
    const { bundle, changes } = await generateBundle({ ...input, now: '2025-03-01T00:00:00Z' }, expired);
    assert.deepEqual(nonKept(changes), ['reissued kube-admin']);
    assert.match(changes.find((c) => c.name === 'kube-admin')!.reason, /^expired on 2025-01-02/);
    assert.equal(bundle['kube-admin']!.keyPem, first['kube-admin']!.keyPem);
    assert.ok(Date.parse(bundle['kube-admin']!.notAfter) > Date.parse('2034-01-01'));
  });

  test('an expired CA must be rotated explicitly', async () => {
    const tooLate = { ...input, now: new Date(Date.parse(NOW) + 3651 * DAY_MS).toISOString() };
    await assert.rejects(generateBundle(tooLate, first), /kube-ca expired on .*rotate the CA/);
  });

  test('a previous bundle without kube-ca gets a new CA and re-signs the leaves with their keys', async () => {
    const { 'kube-ca': _ca, ...withoutCa } = first;
    const { bundle, changes } = await generateBundle(input, withoutCa);
    const reissued = changes.filter((c) => c.action === 'reissued');
    assert.ok(reissued.every((c) => c.reason === 'signer kube-ca created' && !c.newKey));
    assert.equal(bundle['kube-node']!.keyPem, first['kube-node']!.keyPem);
    assert.deepEqual(bundle['kube-apiserver-proxy-client'], first['kube-apiserver-proxy-client']);
    assert.deepEqual(verifyChain(bundle), []);
  });
});

/** kube-admin signed by the bundle's CA with its own key, valid for one day only. */
function shortLivedAdmin(bundle: CertBundle) {
  const ca = bundle['kube-ca']!;
  const admin = bundle['kube-admin']!;
  const certPem = issueCertificate({
    commonName: 'kube-admin',
    organization: 'system:masters',
    kind: 'client',
    sans: [],
    keyPem: admin.keyPem,
    issuer: issuerOf(ca.certPem, ca.keyPem),
    notBefore: new Date(NOW),
    notAfter: new Date(Date.parse(NOW) + DAY_MS),
    serial: '01',
  });
  return { ...admin, ...describeCert(certPem), certPem };
}
