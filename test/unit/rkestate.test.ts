// zke state export: zke's record as RKE's cluster.rkestate (field for field as RKE's types), and back.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { type CertBundle, generateBundle, pkiInputOf } from '../../model/pki/index.ts';
import { InvalidRkeState, parseRkeState, type RkeFullState, toRkeState } from '../../model/rkestate/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import {
  CERTIFICATE_PKI_FIELDS,
  FULL_STATE_FIELDS,
  RKE_CLUSTER_YML,
  RKE_CONTROLLER_MANAGER,
  RKE_ETCD_MEMBER,
  RKE_KUBE_ADMIN,
  STATE_FIELDS,
} from './rkestate-fixture.ts';

// biome-ignore lint/suspicious/noExplicitAny: the cases read and edit the file freely, as a user could
type Loose = any;

const ENCRYPTION = '{"kind": "EncryptionConfiguration"}\n';

function specOf(yaml: string): ClusterSpec {
  const result = parseClusterSpec(yaml);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

describe('RKE state file', () => {
  const spec = specOf(RKE_CLUSTER_YML);
  let bundle: CertBundle;
  let state: RkeFullState;
  before(async () => {
    bundle = (await generateBundle(pkiInputOf(spec, '2025-01-01T00:00:00Z'))).bundle;
    state = toRkeState({ spec, bundle, encryptionConfig: ENCRYPTION });
  });

  /** The exported file as RKE would read it: JSON text. */
  const written = () => JSON.parse(JSON.stringify(state)) as RkeFullState;

  test('the file has RKE FullState, State and CertificatePKI fields, and only those', () => {
    const file = written();
    assert.deepEqual(Object.keys(file), FULL_STATE_FIELDS);
    for (const which of FULL_STATE_FIELDS) {
      const s = file[which as keyof RkeFullState];
      assert.deepEqual(Object.keys(s), STATE_FIELDS, which);
      assert.deepEqual(Object.keys(s.certificatesBundle!).sort(), Object.keys(bundle).sort());
      for (const [name, cert] of Object.entries(s.certificatesBundle!))
        assert.deepEqual(Object.keys(cert), CERTIFICATE_PKI_FIELDS, name);
    }
    assert.equal(file.currentState.encryptionConfig, ENCRYPTION);
  });

  test('each entry carries the names and paths RKE derives from the certificate name', () => {
    const certs = written().currentState.certificatesBundle!;
    const { certificatePEM, keyPEM, config, ...controller } = certs['kube-controller-manager']!;
    assert.deepEqual(controller, RKE_CONTROLLER_MANAGER);
    assert.match(config, /server: https:\/\/127\.0\.0\.1:6443[\s\S]*kube-controller-manager-key\.pem/);
    assert.equal(certificatePEM, bundle['kube-controller-manager']!.certPem);
    assert.equal(keyPEM, bundle['kube-controller-manager']!.keyPem);
    const { certificatePEM: _c, keyPEM: _k, ...etcd } = certs['kube-etcd-10-0-0-1']!;
    assert.deepEqual(etcd, RKE_ETCD_MEMBER);
    const admin = certs['kube-admin']!;
    for (const [field, value] of Object.entries(RKE_KUBE_ADMIN))
      assert.equal(admin[field as keyof typeof admin], value, `kube-admin ${field}`);
    const adminConfig = parse(admin.config);
    assert.equal(adminConfig.clusters[0].cluster.server, 'https://10.0.0.1:6443');
    assert.equal(adminConfig.clusters[0].name, 'adopt-me');
  });

  test('rkeConfig is the spec in RKE JSON keys', () => {
    const config = written().currentState.rkeConfig as Loose;
    assert.equal(config.clusterName, 'adopt-me');
    assert.equal(config.kubernetesVersion, spec.kubernetesVersion);
    assert.deepEqual(config.nodes, [
      {
        address: '10.0.0.1',
        hostnameOverride: 'n1',
        role: ['etcd', 'controlplane', 'worker'],
        port: '22',
        user: 'rke',
        sshKeyPath: spec.nodes[0]!.ssh.keyPath,
        dockerSocket: spec.nodes[0]!.dockerSocket,
      },
    ]);
    assert.equal(config.services.kubeApi.serviceClusterIpRange, spec.network.serviceCidr);
    assert.equal(config.services.kubeController.clusterCidr, spec.network.podCidr);
    assert.equal(config.services.kubelet.clusterDnsServer, spec.network.dnsServiceIp);
    assert.deepEqual(config.services.kubeApi.secretsEncryptionConfig, { enabled: true });
    assert.equal(config.ignoreDockerVersion, spec.ignoreDockerVersion);
  });

  test("etcd's uid/gid and generate_serving_certificate go into rkeConfig as RKE names them", () => {
    const services = '  etcd: {uid: 52034, gid: 52035}\n  kubelet: {generate_serving_certificate: true}\n';
    const hardened = specOf(`${RKE_CLUSTER_YML}${services}`);
    const config = toRkeState({ spec: hardened, bundle, encryptionConfig: ENCRYPTION }).currentState
      .rkeConfig as Loose;
    assert.equal(config.services.etcd.uid, 52034);
    assert.equal(config.services.etcd.gid, 52035);
    assert.equal(config.services.kubelet.generateServingCertificate, true);
    assert.equal((written().currentState.rkeConfig as Loose).services.etcd.uid, undefined);
  });

  test('round trip: parsing the exported file gives back every certificate, key and the encryption config', () => {
    const adopted = parseRkeState(written());
    assert.deepEqual(adopted.bundle, bundle);
    assert.equal(adopted.encryptionConfig, ENCRYPTION);
    assert.equal((adopted.rkeConfig as { clusterName: string }).clusterName, 'adopt-me');
  });

  test('a state without what adoption needs is refused, naming the field', () => {
    const refused = (mutate: (file: Loose) => void, message: RegExp) => {
      const file = written() as Loose;
      mutate(file);
      assert.throws(
        () => parseRkeState(file),
        (err: Error) => {
          assert.ok(err instanceof InvalidRkeState, err.message);
          assert.match(err.message, message);
          return true;
        },
      );
    };
    refused((f) => delete f.currentState, /currentState is missing: the state describes no running cluster/);
    refused((f) => delete f.currentState.rkeConfig, /currentState\.rkeConfig is missing/);
    refused((f) => delete f.currentState.certificatesBundle, /currentState\.certificatesBundle is missing/);
    refused(
      (f) => delete f.currentState.certificatesBundle['kube-ca'],
      /currentState\.certificatesBundle\.kube-ca is missing: no CA/,
    );
    refused(
      (f) => delete f.currentState.certificatesBundle['kube-apiserver'].keyPEM,
      /currentState\.certificatesBundle\.kube-apiserver\.keyPEM is missing/,
    );
    refused((f) => {
      f.currentState.certificatesBundle['kube-node'].certificatePEM = '';
    }, /currentState\.certificatesBundle\.kube-node\.certificatePEM is empty/);
    refused((f) => {
      const certs = f.currentState.certificatesBundle;
      certs['kube-proxy'].keyPEM = certs['kube-ca'].keyPEM;
    }, /currentState\.certificatesBundle\.kube-proxy\.keyPEM does not belong to its certificate/);
    refused((f) => {
      f.currentState.certificatesBundle['kube-ca'].certificatePEM = 'junk';
    }, /kube-ca\.certificatePEM is not a PEM certificate/);
  });

  test('secrets encryption off: no encryptionConfig (omitempty)', () => {
    const plain = toRkeState({ spec, bundle });
    assert.ok(!('encryptionConfig' in JSON.parse(JSON.stringify(plain)).currentState));
  });
});
