// Who gets which file under /etc/kubernetes/ssl, with which mode; kubeconfigs; expiry.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  adminKubeconfig,
  type CertBundle,
  certExpiry,
  certFiles,
  generateBundle,
  type NodeFile,
} from '../../model/pki/index.ts';
import { node, threeNodeInput, withNodes } from './pki-fixture.ts';

const SSL = '/etc/kubernetes/ssl';
const cp = node('cp1', '10.0.0.1', ['etcd', 'controlplane'], '192.168.0.1');
const etcdOnly = node('etcd2', '10.0.0.6', ['etcd']);
const worker = node('w1', '10.0.0.2', ['worker']);

/** File names (without the directory) a node gets, sorted. */
const names = (files: NodeFile[]) => files.map((f) => f.path.replace(`${SSL}/`, '')).sort();
const listOf = (...certs: string[]) => certs.flatMap((c) => c.split(' '));

describe('PKI node files', () => {
  let bundle: CertBundle;
  before(async () => {
    bundle = (await generateBundle(withNodes(threeNodeInput(), [cp, etcdOnly, worker]))).bundle;
  });

  test('a worker gets the CA certificate (no CA key), kube-proxy and kube-node with kubeconfigs', () => {
    const expected = listOf(
      'kube-ca.pem',
      'kube-proxy.pem kube-proxy-key.pem kubecfg-kube-proxy.yaml',
      'kube-node.pem kube-node-key.pem kubecfg-kube-node.yaml',
    );
    assert.deepEqual(names(certFiles(bundle, worker)), expected.sort());
  });

  test('an etcd-only host also gets every kube-etcd certificate and key, not the CA key', () => {
    const expected = listOf(
      'kube-ca.pem',
      'kube-proxy.pem kube-proxy-key.pem kubecfg-kube-proxy.yaml',
      'kube-node.pem kube-node-key.pem kubecfg-kube-node.yaml',
      'kube-etcd-192-168-0-1.pem kube-etcd-192-168-0-1-key.pem',
      'kube-etcd-10-0-0-6.pem kube-etcd-10-0-0-6-key.pem',
    );
    assert.deepEqual(names(certFiles(bundle, etcdOnly)), expected.sort());
  });

  test('a controlplane gets the CA key and the controlplane set; kube-admin never leaves', () => {
    const files = names(certFiles(bundle, cp));
    const controlplane = listOf(
      'kube-ca-key.pem',
      'kube-apiserver.pem kube-apiserver-key.pem',
      'kube-service-account-token.pem kube-service-account-token-key.pem',
      'kube-controller-manager.pem kube-controller-manager-key.pem kubecfg-kube-controller-manager.yaml',
      'kube-scheduler.pem kube-scheduler-key.pem kubecfg-kube-scheduler.yaml',
      'kube-apiserver-requestheader-ca.pem kube-apiserver-requestheader-ca-key.pem',
      'kubecfg-kube-apiserver-requestheader-ca.yaml',
      'kube-apiserver-proxy-client.pem kube-apiserver-proxy-client-key.pem kubecfg-kube-apiserver-proxy-client.yaml',
    );
    const etcdHost = names(certFiles(bundle, etcdOnly));
    assert.deepEqual(files, [...etcdHost, ...controlplane].sort());
    assert.ok(!files.some((f) => f.includes('kube-admin')));
  });

  test('modes: keys 0600, certificates 0644, kubeconfigs 0600; contents are the bundle PEMs', () => {
    for (const file of certFiles(bundle, cp)) {
      const mode = file.path.endsWith('-key.pem') || file.path.endsWith('.yaml') ? 0o600 : 0o644;
      assert.equal(file.mode, mode, file.path);
      const name = file.path.replace(`${SSL}/`, '').replace(/(-key)?\.pem$/, '');
      if (file.path.endsWith('-key.pem')) assert.equal(file.content, bundle[name]!.keyPem);
      else if (file.path.endsWith('.pem')) assert.equal(file.content, bundle[name]!.certPem);
    }
  });

  test('component kubeconfigs parse as YAML and reference files the node has', () => {
    const files = certFiles(bundle, cp);
    const paths = new Set(files.map((f) => f.path));
    for (const file of files.filter((f) => f.path.endsWith('.yaml'))) {
      const name = file.path.replace(`${SSL}/kubecfg-`, '').replace('.yaml', '');
      const config = parse(file.content);
      assert.equal(config.kind, 'Config');
      assert.equal(config['current-context'], 'local');
      assert.deepEqual(config.clusters[0], {
        name: 'local',
        cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority': `${SSL}/kube-ca.pem` },
      });
      assert.deepEqual(config.contexts[0], {
        name: 'local',
        context: { cluster: 'local', user: `${name}-local` },
      });
      const user = config.users[0].user;
      assert.equal(user['client-certificate'], `${SSL}/${name}.pem`);
      assert.equal(user['client-key'], `${SSL}/${name}-key.pem`);
      for (const path of [user['client-certificate'], user['client-key'], `${SSL}/kube-ca.pem`]) {
        assert.ok(paths.has(path), `${file.path} references ${path}`);
      }
    }
  });

  test('the admin kubeconfig embeds the CA and kube-admin credentials', () => {
    const config = parse(adminKubeconfig(bundle, 'https://10.0.0.1:6443', 'demo'));
    const decode = (data: string) => Buffer.from(data, 'base64').toString();
    assert.equal(config.clusters[0].cluster.server, 'https://10.0.0.1:6443');
    assert.equal(config.clusters[0].name, 'demo');
    assert.equal(config['current-context'], 'demo');
    assert.equal(config.users[0].name, 'kube-admin-demo');
    assert.equal(
      decode(config.clusters[0].cluster['certificate-authority-data']),
      bundle['kube-ca']!.certPem,
    );
    const admin = new X509Certificate(decode(config.users[0].user['client-certificate-data']));
    assert.equal(admin.subject, 'O=system:masters\nCN=kube-admin');
    assert.equal(decode(config.users[0].user['client-key-data']), bundle['kube-admin']!.keyPem);
  });

  test('certExpiry lists every certificate with the date written in it', () => {
    const expiry = certExpiry(bundle);
    assert.deepEqual(Object.keys(expiry).sort(), Object.keys(bundle).sort());
    for (const [name, notAfter] of Object.entries(expiry)) {
      assert.equal(notAfter, new Date(new X509Certificate(bundle[name]!.certPem).validTo).toISOString());
    }
  });
});

describe('kubelet serving certificates (generate_serving_certificate)', () => {
  const other = node('w2', '10.0.0.3', ['worker']);
  const nodes = [cp, worker, other];
  let bundle: CertBundle;
  before(async () => {
    bundle = (await generateBundle({ ...withNodes(threeNodeInput(), nodes), kubeletServingCerts: true }))
      .bundle;
  });

  test("one per node, named after its internal address, signed by kube-ca for the node's names", () => {
    const kubelet = Object.keys(bundle).filter((n) => n.startsWith('kube-kubelet-'));
    assert.deepEqual(kubelet.sort(), [
      'kube-kubelet-10-0-0-2',
      'kube-kubelet-10-0-0-3',
      'kube-kubelet-192-168-0-1',
    ]);
    const cert = new X509Certificate(bundle['kube-kubelet-192-168-0-1']!.certPem);
    assert.equal(cert.subject, 'CN=kube-kubelet-192-168-0-1');
    assert.equal(cert.subjectAltName, 'IP Address:10.0.0.1, IP Address:192.168.0.1, DNS:cp1');
    assert.ok(cert.verify(new X509Certificate(bundle['kube-ca']!.certPem).publicKey));
  });

  test('each node gets its own certificate and key, and no other node’s', () => {
    for (const n of nodes) {
      const own = `kube-kubelet-${(n.internalAddress || n.address).replaceAll('.', '-')}`;
      const kubelet = names(certFiles(bundle, n)).filter((f) => f.startsWith('kube-kubelet-'));
      assert.deepEqual(kubelet, [`${own}-key.pem`, `${own}.pem`], n.name);
    }
  });

  test('none without the setting', async () => {
    const plain = (await generateBundle(withNodes(threeNodeInput(), nodes))).bundle;
    assert.ok(!Object.keys(plain).some((n) => n.startsWith('kube-kubelet-')));
  });
});
