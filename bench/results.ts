// Raw results per scenario in bench/results/<scenario>.json, so the report can be rebuilt from partial runs.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MachineFacts } from './machine.ts';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

/** Facts of the lab run a lab scenario's results came from. */
export interface LabRunFacts {
  labUpMs: number;
  labSize: number;
  workerBundleMs: number;
}

export interface Saved<T> {
  machine: MachineFacts;
  data: T;
}

export function saveResults<T>(scenario: string, machine: MachineFacts, data: T): void {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(`${RESULTS_DIR}${scenario}.json`, `${JSON.stringify({ machine, data }, null, 2)}\n`);
}

export function loadResults<T>(scenario: string): Saved<T> | undefined {
  const file = `${RESULTS_DIR}${scenario}.json`;
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Saved<T>) : undefined;
}
