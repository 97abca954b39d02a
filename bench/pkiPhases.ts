// Profiling aid (not a test, not run by the runner): where a fresh 50-node PKI bundle's time goes, phase by
// phase — certificate catalog, RSA key generation, issuing (DER encoding + native signature + parse back) —
// with wall and process CPU time (all threads: keys are generated on libuv's pool), then the whole bundle.
// Run: node --import tsx bench/pkiPhases.ts [rounds]
import { availableParallelism, loadavg } from 'node:os';
import { certCatalog, describeCert, generateBundle } from '../model/pki/index.ts';
import { newPrivateKeyPems } from '../model/pki/keys.ts';
import { issueCertificate, issuerOf, randomSerial } from '../model/pki/x509.ts';
import { syntheticCluster } from './pkiInput.ts';

const ROUNDS = Number(process.argv[2] ?? 3);
const NODES = 50;
const LEAVES = 10;

const input = syntheticCluster({ nodes: NODES, etcd: 3, controlplane: 3 });

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const wall = performance.now();
  const cpu = cpuMs();
  const value = await fn();
  const w = (performance.now() - wall).toFixed(0).padStart(6);
  const c = (cpuMs() - cpu).toFixed(0).padStart(6);
  console.log(`${name.padEnd(40)} wall ${w} ms   cpu ${c} ms`);
  return value;
}

console.log(`${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(1)}`);
for (let round = 0; round < ROUNDS; round++) {
  const specs = await phase('certificate catalog', () => certCatalog(input));
  const keyCount = specs.length - 2; // kube-node and the service-account token reuse other keys
  const keys = await phase(`${keyCount} RSA-2048 keys (concurrently)`, () => newPrivateKeyPems(keyCount));
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + 365 * 86_400_000);
  const caPem = await phase('issue the CA', () =>
    issueCertificate({
      commonName: 'kube-ca',
      kind: 'ca',
      sans: [],
      keyPem: keys[0]!,
      notBefore,
      notAfter,
      serial: randomSerial(),
    }),
  );
  const issuer = issuerOf(caPem, keys[0]!);
  await phase(`issue ${LEAVES} leaves + parse them back`, () => {
    for (let i = 1; i <= LEAVES; i++) {
      const pem = issueCertificate({
        commonName: `leaf-${i}`,
        kind: 'server',
        sans: ['kubernetes', '10.43.0.1', '10.0.0.1'],
        keyPem: keys[i % keys.length]!,
        issuer,
        notBefore,
        notAfter,
        serial: randomSerial(),
      });
      describeCert(pem);
    }
  });
  await phase(`generateBundle, ${NODES} nodes (whole)`, () => generateBundle(input));
  console.log('');
}
