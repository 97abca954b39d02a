// Scenario "pki": runs bench/pki.ts (5, 50, 500 nodes) as it is and parses its table.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runToolOrThrow } from './proc.ts';
import { say } from './stats.ts';

export interface PkiRow {
  nodes: number;
  etcd: number;
  certs: number;
  freshMs: number;
  /** CPU time of the fresh bundle, all threads. */
  freshCpuMs: number;
  /** The same number of RSA keys generated alone (a separate measurement). */
  keygenMs: number;
  rerunMs: number;
  addWorkerMs: number;
  nodeFilesMs: number;
}

export interface PkiResults {
  runs: number;
  /** bench/pki.ts's own output. */
  output: string;
  rows: PkiRow[];
}

function parseRow(line: string): PkiRow | undefined {
  const numbers = line.match(/\d+(\.\d+)?/g)?.map(Number);
  if (!numbers || numbers.length !== 9 || !/ms\s*$/.test(line)) return undefined;
  const [nodes, etcd, certs, freshMs, freshCpuMs, keygenMs, rerunMs, addWorkerMs, nodeFilesMs] =
    numbers as number[];
  return {
    nodes: nodes!,
    etcd: etcd!,
    certs: certs!,
    freshMs: freshMs!,
    freshCpuMs: freshCpuMs!,
    keygenMs: keygenMs!,
    rerunMs: rerunMs!,
    addWorkerMs: addWorkerMs!,
    nodeFilesMs: nodeFilesMs!,
  };
}

export async function runPki(runs: number): Promise<PkiResults> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pki.ts');
  const run = await runToolOrThrow(process.execPath, ['--import', 'tsx', script, String(runs)]);
  const rows = run.stdout.split('\n').flatMap((l) => parseRow(l) ?? []);
  say(`pki: ${rows.map((r) => `${r.nodes} nodes ${r.freshMs} ms`).join(', ')}`);
  return { runs, output: run.stdout.trim(), rows };
}
