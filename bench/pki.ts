// Benchmark (not a test): PKI generation time for 5, 50 and 500 nodes, median of a few runs.
// Run: node --import tsx bench/pki.ts [runs]
// Only etcd hosts add a certificate (kube-etcd-*); workers add none, so cluster size barely matters.
import { availableParallelism, loadavg } from 'node:os';
import { certFiles, generateBundle, type PkiInput, type PkiNode } from '../model/pki/index.ts';
import { newPrivateKeyPems } from '../model/pki/keys.ts';

const RUNS = Number(process.argv[2] ?? 3);
const SIZES = [
  { nodes: 5, etcd: 3, controlplane: 3 },
  { nodes: 50, etcd: 3, controlplane: 3 },
  { nodes: 500, etcd: 5, controlplane: 3 },
];

function clusterOf(size: (typeof SIZES)[number]): PkiInput {
  const nodes: PkiNode[] = Array.from({ length: size.nodes }, (_, i) => ({
    name: `node-${i}`,
    address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    internalAddress: `192.168.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    roles: [
      ...(i < size.etcd ? (['etcd'] as const) : []),
      ...(i < size.controlplane ? (['controlplane'] as const) : []),
      ...(i >= size.controlplane ? (['worker'] as const) : []),
    ],
  }));
  return {
    clusterName: 'bench',
    nodes,
    extraSans: [],
    serviceCidr: '10.43.0.0/16',
    clusterDomain: 'cluster.local',
    now: '2025-01-01T00:00:00Z',
  };
}

async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function median(fn: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await time(fn));
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function measure(size: (typeof SIZES)[number]) {
  const input = clusterOf(size);
  const { bundle } = await generateBundle(input);
  const grown = {
    ...input,
    nodes: [...input.nodes, { ...input.nodes.at(-1)!, name: 'extra', address: '10.9.9.9' }],
  };
  return {
    nodes: size.nodes,
    etcd: size.etcd,
    certs: Object.keys(bundle).length,
    fresh: await median(() => generateBundle(input)),
    /** kube-node and the service-account token reuse other keys. */
    keysOnly: await median(() => newPrivateKeyPems(Object.keys(bundle).length - 2)),
    rerun: await median(() => generateBundle(input, bundle)),
    addWorker: await median(() => generateBundle(grown, bundle)),
    allNodeFiles: await median(() => input.nodes.map((n) => certFiles(bundle, n))),
  };
}

const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
console.log(
  `PKI generation, median of ${RUNS} runs; ${availableParallelism()} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'nodes  etcd  certs  fresh bundle  (its RSA keygen)  re-run (no-op)  +1 worker  certFiles(all nodes)',
);
for (const size of SIZES) {
  const r = await measure(size);
  const row = [
    String(r.nodes).padStart(5),
    String(r.etcd).padStart(5),
    String(r.certs).padStart(6),
    ms(r.fresh).padStart(13),
    ms(r.keysOnly).padStart(16),
    ms(r.rerun).padStart(15),
    ms(r.addWorker).padStart(10),
    ms(r.allNodeFiles).padStart(21),
  ];
  console.log(row.join(' '));
}
