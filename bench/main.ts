// The benchmark runner (entered through bench/run.ts): runs the selected scenarios (see bench/args.ts), saves
// raw results under bench/results/ and rewrites docs/benchmarks.md with its plots. Benchmarks only: nothing
// here asserts a timing.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runApiLoad } from './api/scenario.ts';
import { type BenchArgs, parseArgs, runsFor } from './args.ts';
import { runEngine } from './engine/noop.ts';
import { removeScratch, scratch } from './env.ts';
import { runFanOut } from './fanout/scenario.ts';
import { type LabSession, withLab } from './labSession.ts';
import { endLoad, machineFacts } from './machine.ts';
import { runPki } from './pkiScenario.ts';
import { writeReport } from './report/write.ts';
import { saveResults } from './results.ts';
import { provisionOnce } from './scale/provision.ts';
import { runScale, type ScaleResults } from './scale/scenario.ts';
import { say } from './stats.ts';
import { type BenchTemporal, startBenchTemporal, startBenchTopology } from './temporal.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

function pythonTools(): string {
  return execFileSync('bash', [path.join(here, 'pythonTools.sh')], { encoding: 'utf8' }).trim();
}

/** Runs one scenario and saves its results with the machine facts around it. */
async function recorded<T>(scenario: string, body: () => Promise<T>): Promise<void> {
  const machine = machineFacts();
  const data = await body();
  saveResults(scenario, endLoad(machine), data);
}

function labSize(args: BenchArgs): number {
  const fanout = args.only.includes('fanout') ? args.fanoutSizes : [];
  const scale = args.only.includes('scale') ? args.scaleSizes : [];
  return Math.max(...fanout, ...scale);
}

async function labScenarios(args: BenchArgs, t: BenchTemporal, pythonBin: string, lab: LabSession) {
  const labFacts = { labUpMs: lab.upMs, labSize: lab.size, workerBundleMs: t.worker.bundleMs };
  if (args.only.includes('fanout')) {
    const workDir = fs.mkdtempSync(path.join(scratch, 'fanout-'));
    const o = {
      temporal: t,
      hosts: lab.hosts,
      sizes: args.fanoutSizes,
      runsFor: (n: number) => runsFor(args, n),
      workDir,
      pythonBin,
    };
    await recorded('fanout', async () => ({ ...(await runFanOut(o)), ...labFacts }));
  }
  if (args.only.includes('scale')) {
    const machine = machineFacts();
    const save = (r: ScaleResults) => saveResults('scale', endLoad(machine), { ...r, ...labFacts });
    save(await runScale(t, lab.hosts, args.scaleSizes, (n) => runsFor(args, n), save));
  }
}

/**
 * The engine scenario again on a Temporal cluster (scripts/cluster.sh), started and stopped for it, and one 3-host
 * lab provision on each of the two.
 */
async function onTopology(runs: number, devServer: BenchTemporal) {
  const cluster = await startBenchTopology();
  try {
    const topology = await runEngine(cluster, runs);
    // each on fresh hosts, and as a cluster of its own name (its own pinned host keys)
    const provision = (t: BenchTemporal, run: number) =>
      withLab(3, (lab) => provisionOnce(t, lab.hosts, run));
    const provision3 = { devServer: await provision(devServer, 1), topology: await provision(cluster, 2) };
    return { topology, provision3 };
  } finally {
    await cluster.close();
  }
}

async function runScenarios(args: BenchArgs, pythonBin: string): Promise<void> {
  if (args.only.includes('pki')) await recorded('pki', () => runPki(args.runs));
  if (args.only.includes('api')) await recorded('api', runApiLoad); // its own dev server, no worker
  const needsLab = args.only.includes('fanout') || args.only.includes('scale');
  if (!needsLab && !args.only.includes('engine')) return; // pki and api need no bench Temporal
  const t = await startBenchTemporal();
  try {
    if (args.only.includes('engine'))
      await recorded('engine', async () => ({
        ...(await runEngine(t, args.runs)),
        ...(await onTopology(args.runs, t)),
      }));
    if (needsLab) await withLab(labSize(args), (lab) => labScenarios(args, t, pythonBin, lab));
  } finally {
    await t.close();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const pythonBin = pythonTools();
  if (!args.reportOnly) await runScenarios(args, pythonBin);
  await writeReport(pythonBin);
}

export function run(): Promise<void> {
  return main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(() => {
      removeScratch();
      say('done');
    });
}
