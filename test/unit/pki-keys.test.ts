// Key types (cert_key_algorithm) and chains as Kubernetes reads them: Go's crypto/x509 matches an issuer to
// its CA byte for byte, so a leaf must copy its CA's subject exactly, whichever tool wrote the CA.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import forge from 'node-forge';
import {
  CA_NAME,
  type CertBundle,
  entryFromPem,
  etcdCertName,
  generateBundle,
  isNoop,
  verifyChain,
} from '../../model/pki/index.ts';
import { newPrivateKeyPem } from '../../model/pki/keys.ts';
import { tempDir } from '../support/tempDir.ts';
import {
  node,
  nonKept,
  opensslVerify,
  threeNodeInput,
  withNodes,
  writeCerts,
  x509Text,
} from './pki-fixture.ts';

const keyType = (pem: string) => {
  const key = createPrivateKey(pem);
  return `${key.asymmetricKeyType}:${key.asymmetricKeyDetails?.namedCurve ?? key.asymmetricKeyDetails?.modulusLength}`;
};

/** The certificate's issuer (or subject) Name, through a generic ASN.1 parse. */
function nameOf(certPem: string, which: 'issuer' | 'subject'): forge.asn1.Asn1 {
  const tbs = forge.asn1.fromDer(forge.pem.decode(certPem)[0]!.body).value[0] as forge.asn1.Asn1;
  const fields = tbs.value as forge.asn1.Asn1[];
  const v1 = fields[0]!.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC; // no [0] version field
  return fields[(which === 'issuer' ? 3 : 5) - (v1 ? 1 : 0)]!;
}
const nameDer = (certPem: string, which: 'issuer' | 'subject') =>
  forge.util.bytesToHex(forge.asn1.toDer(nameOf(certPem, which)).getBytes());
/** ASN.1 string types of a Name's values (19 PrintableString, 12 UTF8String). */
const valueTypes = (name: forge.asn1.Asn1) =>
  (name.value as forge.asn1.Asn1[]).map((rdn) => {
    const [attribute] = rdn.value as forge.asn1.Asn1[];
    return ((attribute!.value as forge.asn1.Asn1[])[1] as forge.asn1.Asn1).type;
  });

/** A CA as another tool writes it: node-forge, PrintableString subject (zke writes UTF8String). */
async function foreignCa(): Promise<{ certPem: string; keyPem: string }> {
  const keyPem = await newPrivateKeyPem();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.rsa.setPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2024-12-01T00:00:00Z');
  cert.validity.notAfter = new Date('2034-12-01T00:00:00Z');
  const subject = [{ name: 'commonName', value: CA_NAME, valueTagClass: forge.asn1.Type.PRINTABLESTRING }];
  cert.setSubject(subject as unknown as forge.pki.CertificateField[]);
  cert.setIssuer(subject as unknown as forge.pki.CertificateField[]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', critical: true, keyCertSign: true, digitalSignature: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Every leaf of the bundle checked by Go's crypto/x509 against its CA; undefined without a Go toolchain. */
function goVerify(bundle: CertBundle): string[] | undefined {
  if (spawnSync('go', ['version']).status !== 0) return undefined;
  const dir = tempDir('zke-go-verify');
  const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', GO111MODULE: 'off' };
  const bin = join(dir, 'verify-chain');
  execFileSync('go', ['build', '-o', bin, join(import.meta.dirname, 'go/verify-chain.go')], {
    env,
    cwd: dir,
  });
  const certs = writeCerts(bundle);
  const out: string[] = [];
  for (const ca of new Set(Object.values(bundle).map((e) => e.signer))) {
    const leaves = Object.values(bundle).filter((e) => e.signer === ca && e.name !== ca);
    const args = [join(certs, `${ca}.pem`), ...leaves.map((e) => join(certs, `${e.name}.pem`))];
    out.push(...execFileSync(bin, args, { encoding: 'utf8' }).trim().split('\n'));
  }
  return out.map((line) => line.replace(`${certs}/`, ''));
}

describe('cert_key_algorithm: ECDSA-P256', () => {
  let bundle: CertBundle;
  before(async () => {
    bundle = (await generateBundle(threeNodeInput({ keyAlgorithm: 'ECDSA-P256' }))).bundle;
  });

  test('every key is a P-256 key in SEC1 PEM, like kubeadm writes', () => {
    for (const entry of Object.values(bundle)) {
      assert.equal(keyType(entry.keyPem), 'ec:prime256v1', entry.name);
      assert.match(entry.keyPem, /^-----BEGIN EC PRIVATE KEY-----/, entry.name);
    }
  });

  test('every certificate is signed with ecdsa-with-SHA256 and verifies with openssl -x509_strict', () => {
    const dir = writeCerts(bundle);
    for (const entry of Object.values(bundle)) {
      assert.match(x509Text(entry.certPem), /Signature Algorithm: ecdsa-with-SHA256/, entry.name);
      assert.equal(opensslVerify(dir, entry.name, entry.signer), `${dir}/${entry.name}.pem: OK`);
    }
    assert.deepEqual(verifyChain(bundle), []);
  });

  test("Go's crypto/x509 (what Kubernetes and etcd use) accepts every chain", (t) => {
    const lines = goVerify(bundle);
    if (!lines) return t.skip('no Go toolchain');
    assert.ok(lines.length >= Object.keys(bundle).length - 2);
    for (const line of lines) assert.match(line, /: ok$/);
  });
});

describe('changing cert_key_algorithm on a running cluster', () => {
  const input = threeNodeInput();
  let rsa: CertBundle;
  before(async () => {
    rsa = (await generateBundle(input)).bundle;
  });

  test('the default is RSA-2048 in PKCS#1 PEM, signed with sha256WithRSAEncryption', () => {
    for (const entry of Object.values(rsa)) assert.equal(keyType(entry.keyPem), 'rsa:2048', entry.name);
    assert.match(rsa['kube-apiserver']!.keyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(x509Text(rsa['kube-apiserver']!.certPem), /Signature Algorithm: sha256WithRSAEncryption/);
  });

  test('keeps every existing key; only keys generated from then on take the new type', async () => {
    const ecdsa = { ...input, keyAlgorithm: 'ECDSA-P256' as const };
    const rerun = await generateBundle(ecdsa, rsa);
    assert.ok(isNoop(rerun.changes));
    const etcd2 = node('etcd2', '10.0.0.7', ['etcd']);
    const nodes = [...input.nodes, etcd2];
    const { bundle, changes } = await generateBundle(withNodes(ecdsa, nodes), rsa);
    assert.ok(nonKept(changes).includes(`created ${etcdCertName(etcd2)}`), nonKept(changes).join());
    assert.equal(keyType(bundle[etcdCertName(etcd2)]!.keyPem), 'ec:prime256v1');
    assert.equal(keyType(bundle['kube-apiserver']!.keyPem), 'rsa:2048');
    // an ECDSA leaf under the RSA CA: the CA's key decides the signature algorithm
    assert.match(x509Text(bundle[etcdCertName(etcd2)]!.certPem), /sha256WithRSAEncryption/);
    assert.deepEqual(verifyChain(bundle), []);
  });
});

describe('a CA written by another tool', () => {
  let bundle: CertBundle;
  let ca: { certPem: string; keyPem: string };
  before(async () => {
    ca = await foreignCa();
    const previous = { [CA_NAME]: entryFromPem(CA_NAME, ca.certPem, ca.keyPem) };
    bundle = (await generateBundle(threeNodeInput(), previous)).bundle;
  });

  test('is kept, and every leaf names it with its subject bytes exactly as written', () => {
    assert.equal(bundle[CA_NAME]!.certPem, ca.certPem);
    const caSubject = nameDer(ca.certPem, 'subject');
    assert.deepEqual(valueTypes(nameOf(ca.certPem, 'subject')), [forge.asn1.Type.PRINTABLESTRING]);
    assert.deepEqual(valueTypes(nameOf(bundle['kube-apiserver']!.certPem, 'subject')), [
      forge.asn1.Type.UTF8,
    ]);
    for (const entry of Object.values(bundle).filter((e) => e.signer === CA_NAME && e.name !== CA_NAME))
      assert.equal(nameDer(entry.certPem, 'issuer'), caSubject, entry.name);
    assert.deepEqual(verifyChain(bundle), []);
  });

  test("Go's crypto/x509 accepts every leaf under it", (t) => {
    const lines = goVerify(bundle);
    if (!lines) return t.skip('no Go toolchain');
    for (const line of lines) assert.match(line, /: ok$/);
  });
});

test('an old v1 CA (no version field, no extensions, as `openssl x509 -req` writes) still signs leaves', async () => {
  const dir = tempDir('zke-v1-ca');
  const at = (f: string) => join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run('genrsa', '-traditional', '-out', at('ca.key'), '2048');
  run('req', '-new', '-key', at('ca.key'), '-subj', `/CN=${CA_NAME}`, '-out', at('ca.csr'));
  run('x509', '-req', '-in', at('ca.csr'), '-signkey', at('ca.key'), '-days', '3650', '-out', at('ca.pem'));
  const ca = { certPem: readFileSync(at('ca.pem'), 'utf8'), keyPem: readFileSync(at('ca.key'), 'utf8') };
  assert.match(x509Text(ca.certPem), /Version: 1 \(0x0\)/);
  const now = new Date().toISOString();
  const previous = { [CA_NAME]: entryFromPem(CA_NAME, ca.certPem, ca.keyPem) };
  const { bundle } = await generateBundle(threeNodeInput({ now }), previous);
  const apiserver = bundle['kube-apiserver']!.certPem;
  assert.equal(nameDer(apiserver, 'issuer'), nameDer(ca.certPem, 'subject'));
  assert.deepEqual(verifyChain(bundle), []);
});
