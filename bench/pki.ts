// Benchmark (not a test): PKI generation time for 5, 50 and 500 nodes, median of a few runs. The fresh bundle's
// CPU time (all threads) is given too: on a shared machine it says what the wall time would be on idle cores.
// Run: node --import tsx bench/pki.ts [runs] [key algorithm: RSA-2048 (default), ECDSA-P256, ...]
// Only etcd hosts add a certificate (kube-etcd-*); workers add none, so cluster size barely matters.
import { availableParallelism, loadavg } from 'node:os';
import { certFiles, generateBundle } from '../model/pki/index.ts';
import { newPrivateKeyPems } from '../model/pki/keys.ts';
import { DEFAULTS } from '../model/spec/defaults.ts';
import type { CertKeyAlgorithm } from '../model/spec/types.ts';
import { type PkiSize, syntheticCluster } from './pkiInput.ts';

const RUNS = Number(process.argv[2] ?? 3);
const ALGORITHM = (process.argv[3] ?? DEFAULTS.certKeyAlgorithm) as CertKeyAlgorithm;
const SIZES: PkiSize[] = [
  { nodes: 5, etcd: 3, controlplane: 3 },
  { nodes: 50, etcd: 3, controlplane: 3 },
  { nodes: 500, etcd: 5, controlplane: 3 },
];

interface Sample {
  wall: number;
  /** CPU time of the whole process (main thread and libuv's pool, where the RSA keys are generated). */
  cpu: number;
}

async function sample(fn: () => unknown): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function medians(fn: () => unknown): Promise<Sample> {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await sample(fn));
  return { wall: mid(samples.map((s) => s.wall)), cpu: mid(samples.map((s) => s.cpu)) };
}

async function median(fn: () => unknown): Promise<number> {
  return (await medians(fn)).wall;
}

async function measure(size: PkiSize) {
  const input = { ...syntheticCluster(size), keyAlgorithm: ALGORITHM };
  const { bundle } = await generateBundle(input);
  const grown = {
    ...input,
    nodes: [...input.nodes, { ...input.nodes.at(-1)!, name: 'extra', address: '10.9.9.9' }],
  };
  return {
    nodes: size.nodes,
    etcd: size.etcd,
    certs: Object.keys(bundle).length,
    fresh: await medians(() => generateBundle(input)),
    /** kube-node and the service-account token reuse other keys. */
    keysOnly: await median(() => newPrivateKeyPems(Object.keys(bundle).length - 2, ALGORITHM)),
    rerun: await median(() => generateBundle(input, bundle)),
    addWorker: await median(() => generateBundle(grown, bundle)),
    allNodeFiles: await median(() => input.nodes.map((n) => certFiles(bundle, n))),
  };
}

const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
console.log(
  `PKI generation with ${ALGORITHM} keys, ${RUNS === 1 ? 'a single run' : `median of ${RUNS} runs`}; ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'nodes  etcd  certs  fresh bundle  (its CPU time)      (keygen alone)  re-run (no-op)  +1 worker  certFiles(all nodes)',
);
for (const size of SIZES) {
  const r = await measure(size);
  const row = [
    String(r.nodes).padStart(5),
    String(r.etcd).padStart(5),
    String(r.certs).padStart(6),
    ms(r.fresh.wall).padStart(13),
    ms(r.fresh.cpu).padStart(15),
    ms(r.keysOnly).padStart(19),
    ms(r.rerun).padStart(15),
    ms(r.addWorker).padStart(10),
    ms(r.allNodeFiles).padStart(21),
  ];
  console.log(row.join(' '));
}
