// The certificate set of a 3-node cluster, checked with the openssl CLI against research notes §2.3.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type CertBundle, generateBundle, verifyChain } from '../../model/pki/index.ts';
import { extension, field, NOW, opensslVerify, threeNodeInput, writeCerts, x509Text } from './pki-fixture.ts';

const CA_USAGE = 'Digital Signature, Key Encipherment, Certificate Sign';
const LEAF_USAGE = 'Digital Signature, Key Encipherment';
const CLIENT = 'TLS Web Client Authentication';
const CLIENT_SERVER = 'TLS Web Client Authentication, TLS Web Server Authentication';
const FIXED_SANS = [
  'IP Address:127.0.0.1',
  'IP Address:10.43.0.1',
  'DNS:localhost',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];
/** cp1's address, internal address and name. */
const CP1_SANS = ['IP Address:10.0.0.1', 'IP Address:192.168.0.1', 'DNS:cp1'];
const EXTRA_SANS = ['DNS:api.example.com', 'IP Address:172.16.0.10'];

interface Expected {
  subject: string;
  issuer: string;
  usage: string;
  extUsage?: string;
  sans?: string[];
}

const leaf = (subject: string, extUsage: string, sans?: string[]): Expected => ({
  subject,
  issuer: 'CN = kube-ca',
  usage: LEAF_USAGE,
  extUsage,
  sans,
});

const EXPECTED: Record<string, Expected> = {
  'kube-ca': { subject: 'CN = kube-ca', issuer: 'CN = kube-ca', usage: CA_USAGE },
  'kube-apiserver-requestheader-ca': {
    subject: 'CN = kube-apiserver-requestheader-ca',
    issuer: 'CN = kube-apiserver-requestheader-ca',
    usage: CA_USAGE,
  },
  'kube-apiserver': leaf('CN = kube-apiserver', CLIENT_SERVER, [...CP1_SANS, ...EXTRA_SANS, ...FIXED_SANS]),
  // A new cluster's service-account token is a verbatim copy of the kube-apiserver certificate and key.
  'kube-service-account-token': leaf('CN = kube-apiserver', CLIENT_SERVER, [
    ...CP1_SANS,
    ...EXTRA_SANS,
    ...FIXED_SANS,
  ]),
  'kube-controller-manager': leaf('CN = system:kube-controller-manager', CLIENT),
  'kube-scheduler': leaf('CN = system:kube-scheduler', CLIENT),
  'kube-proxy': leaf('CN = system:kube-proxy', CLIENT),
  'kube-node': leaf('O = system:nodes, CN = system:node', CLIENT),
  'kube-admin': leaf('O = system:masters, CN = kube-admin', CLIENT),
  'kube-apiserver-proxy-client': {
    ...leaf('CN = kube-apiserver-proxy-client', CLIENT_SERVER),
    issuer: 'CN = kube-apiserver-requestheader-ca',
  },
  // Named after cp1's internal address; SANs of every etcd host, no authentication.sans.
  'kube-etcd-192-168-0-1': leaf('CN = kube-etcd', CLIENT_SERVER, [...CP1_SANS, ...FIXED_SANS]),
};

describe('PKI certificate set (3 nodes: 1 etcd+controlplane, 2 workers)', () => {
  let bundle: CertBundle;
  let dir: string;
  before(async () => {
    bundle = (await generateBundle(threeNodeInput())).bundle;
    dir = writeCerts(bundle);
  });

  test('has exactly the zke/RKE certificate names', () => {
    assert.deepEqual(Object.keys(bundle).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    test(`${name}: openssl verifies it against its CA`, () => {
      const signer = bundle[name]!.signer;
      assert.equal(`CN = ${signer}`, expected.issuer);
      assert.equal(opensslVerify(dir, name, signer), `${dir}/${name}.pem: OK`);
    });

    test(`${name}: subject, usages and SANs as specified`, () => {
      const text = x509Text(bundle[name]!.certPem);
      assert.equal(field(text, 'Subject'), expected.subject);
      assert.equal(field(text, 'Issuer'), expected.issuer);
      assert.match(text, /Public-Key: \(2048 bit\)/);
      assert.equal(extension(text, 'X509v3 Key Usage'), expected.usage);
      assert.match(text, /X509v3 Key Usage: critical/);
      assert.equal(extension(text, 'X509v3 Extended Key Usage'), expected.extUsage);
      const sans = extension(text, 'X509v3 Subject Alternative Name')?.split(', ');
      assert.deepEqual(sans?.sort(), expected.sans?.sort());
    });

    test(`${name}: basic constraints and key identifiers`, () => {
      const text = x509Text(bundle[name]!.certPem);
      const isCa = expected.usage === CA_USAGE;
      assert.equal(extension(text, 'X509v3 Basic Constraints'), isCa ? 'CA:TRUE' : undefined);
      if (isCa) assert.match(text, /X509v3 Basic Constraints: critical/);
      const signerText = x509Text(bundle[bundle[name]!.signer]!.certPem);
      const authorityKeyId = extension(text, 'X509v3 Authority Key Identifier')?.replace(/^keyid:/, '');
      assert.equal(authorityKeyId, isCa ? undefined : extension(signerText, 'X509v3 Subject Key Identifier'));
      assert.ok(extension(text, 'X509v3 Subject Key Identifier'));
    });
  }

  test('validity: from the run time (CA start for leaves) for 3650 days', () => {
    const notAfter = new Date(Date.parse(NOW) + 3650 * 86_400_000).toISOString();
    for (const entry of Object.values(bundle)) {
      assert.equal(entry.notAfter, notAfter, entry.name);
      const text = x509Text(entry.certPem);
      assert.equal(field(text, 'Not Before'), 'Jan  1 00:00:00 2025 GMT', entry.name);
    }
  });

  test('validityDays is honoured', async () => {
    const { bundle: short } = await generateBundle(threeNodeInput({ validityDays: 30 }));
    assert.equal(short['kube-node']!.notAfter, '2025-01-31T00:00:00.000Z');
    assert.equal(short['kube-ca']!.notAfter, '2025-01-31T00:00:00.000Z');
  });

  test('kube-node shares kube-proxy key; the service-account token copies kube-apiserver', () => {
    assert.equal(bundle['kube-node']!.keyPem, bundle['kube-proxy']!.keyPem);
    assert.equal(bundle['kube-service-account-token']!.keyPem, bundle['kube-apiserver']!.keyPem);
    assert.equal(bundle['kube-service-account-token']!.certPem, bundle['kube-apiserver']!.certPem);
    const shared = new Set(['kube-node', 'kube-service-account-token']);
    const keys = Object.values(bundle)
      .filter((e) => !shared.has(e.name))
      .map((e) => e.keyPem);
    assert.equal(new Set(keys).size, keys.length, 'every other certificate has its own key');
    assert.match(bundle['kube-ca']!.keyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
  });

  test('verifyChain finds no problem, and finds a certificate signed by the wrong CA', () => {
    assert.deepEqual(verifyChain(bundle), []);
    const tampered = {
      ...bundle,
      'kube-node': { ...bundle['kube-node']!, signer: 'kube-apiserver-requestheader-ca' },
    };
    assert.deepEqual(verifyChain(tampered), ['kube-node: not signed by kube-apiserver-requestheader-ca']);
  });
});
