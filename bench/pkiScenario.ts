// Scenario "pki": runs bench/pki.ts (5, 50, 500 nodes) as it is, once per key algorithm, and parses its tables.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../model/spec/defaults.ts';
import { runToolOrThrow } from './proc.ts';
import { say } from './stats.ts';

/** RSA-2048 is the default (RKE's); ECDSA-P256 is the opt-in `cert_key_algorithm`. */
export const PKI_ALGORITHMS = ['RSA-2048', 'ECDSA-P256'] as const;

export interface PkiRow {
  /** Absent in results saved before key algorithms were measured: RSA-2048. */
  algorithm?: string;
  nodes: number;
  etcd: number;
  certs: number;
  freshMs: number;
  /** CPU time of the fresh bundle, all threads. */
  freshCpuMs: number;
  /** The same number of keys generated alone (a separate measurement). */
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
  const outputs: string[] = [];
  const rows: PkiRow[] = [];
  for (const algorithm of PKI_ALGORITHMS) {
    const run = await runToolOrThrow(process.execPath, ['--import', 'tsx', script, String(runs), algorithm]);
    const measured = run.stdout.split('\n').flatMap((l) => parseRow(l) ?? []);
    say(`pki ${algorithm}: ${measured.map((r) => `${r.nodes} nodes ${r.freshMs} ms`).join(', ')}`);
    rows.push(...measured.map((r) => ({ algorithm, ...r })));
    outputs.push(run.stdout.trim());
  }
  return { runs, output: outputs.join('\n\n'), rows };
}

/** Issue 9's target for a fresh 50-node bundle. */
export const PKI_TARGET_MS = 1000;

/** A row's key algorithm (rows saved before algorithms were measured are RSA-2048, the default then and now). */
export const algorithmOf = (row: PkiRow): string => row.algorithm ?? DEFAULTS.certKeyAlgorithm;

/** The row of a key algorithm and node count. */
export function pkiRow(r: PkiResults, algorithm: string, nodes: number): PkiRow | undefined {
  return r.rows.find((x) => algorithmOf(x) === algorithm && x.nodes === nodes);
}
