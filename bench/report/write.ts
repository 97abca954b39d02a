// Writes docs/benchmarks.md and docs/img/bench-*.png from bench/results/*.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiLoadResults } from '../api/scenario.ts';
import type { EngineResults } from '../engine/noop.ts';
import { TOOLS } from '../fanout/runners.ts';
import { type FanOutResults, PHASES } from '../fanout/scenario.ts';
import type { MachineFacts } from '../machine.ts';
import type { PkiResults } from '../pkiScenario.ts';
import { runToolOrThrow } from '../proc.ts';
import { type LabRunFacts, loadResults } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { say } from '../stats.ts';
import { fanOutRows, scaleRows } from './aggregate.ts';
import { analysisSection } from './analysisSection.ts';
import { apiSection } from './apiSection.ts';
import { engineSection, HISTORY_PLOT_MIN_SIZES, pkiSection } from './engineSection.ts';
import { fanOutSection } from './fanoutSection.ts';
import { footprintSection, scaleSection } from './scaleSection.ts';
import { targetsSection } from './targets.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const docs = path.join(here, '../../docs');

/** Runs per size, aligned with sizes; results saved by older runners hold one number for all sizes. */
function perSize<T extends { sizes: number[]; runs: number[] | number }>(data: T): T & { runs: number[] } {
  return { ...data, runs: Array.isArray(data.runs) ? data.runs : data.sizes.map(() => data.runs as number) };
}

function load() {
  const fanout = loadResults<FanOutResults & LabRunFacts>('fanout');
  return {
    pki: loadResults<PkiResults>('pki'),
    engine: loadResults<EngineResults>('engine'),
    fanout: fanout && { ...fanout, data: perSize(fanout.data) },
    scale: loadResults<ScaleResults & LabRunFacts>('scale'),
    api: loadResults<ApiLoadResults>('api'),
  };
}

function plotData(r: ReturnType<typeof load>) {
  /** What a plotted value is: a median, or one run's value (for the axis label). */
  const stat = (sizes: number[], runs: number[]) => {
    const single = sizes.filter((_, i) => runs[i] === 1);
    if (single.length === sizes.length) return 'single run';
    return single.length ? `median (one run at ${single.join(', ')})` : 'median';
  };
  const fanout = r.fanout && {
    sizes: r.fanout.data.sizes,
    stat: stat(r.fanout.data.sizes, r.fanout.data.runs),
    phases: PHASES,
    ms: Object.fromEntries(
      TOOLS.map((tool) => [
        tool,
        Object.fromEntries(
          PHASES.map((phase) => [
            phase,
            fanOutRows(r.fanout!.data)
              .filter((x) => x.phase === phase)
              .map((x) => x.ms[tool]),
          ]),
        ),
      ]),
    ),
  };
  const rows = r.scale ? scaleRows(r.scale.data) : [];
  const steps = [...new Set(rows.flatMap((x) => x.steps.map((s) => s.step)))];
  const scale = rows.length && {
    sizes: rows.map((x) => x.size),
    stat: stat(
      rows.map((x) => x.size),
      rows.map((x) => x.runs),
    ),
    steps,
    stepWall: Object.fromEntries(
      steps.map((s) => [s, rows.map((x) => x.steps.find((y) => y.step === s)?.wallMs ?? 0)]),
    ),
    overhead: rows.map((x) => x.overheadMs),
  };
  // one size is one point: the report gives the numbers and no plot (HISTORY_PLOT_MIN_SIZES)
  const history = rows.length >= HISTORY_PLOT_MIN_SIZES && {
    sizes: rows.map((x) => x.size),
    events: rows.map((x) => x.events),
    kib: rows.map((x) => x.historyBytes / 1024),
  };
  return { fanout, scale, history };
}

const INTRO = `# Benchmarks

\`npm run bench\` measures provisioning in the multi-host lab ([lab.md](lab.md)) and rewrites this page and its
plots from the raw results it keeps in \`bench/results/*.json\`. Scenarios and sizes can be picked:

\`\`\`sh
npm run bench                                    # everything (pki, api, engine, fanout 3/10/25, scale 3/10/25/50)
npm run bench -- --only api                      # API latency: 100 clusters, 200 concurrent readers
npm run bench -- --only fanout --sizes 3,10      # one scenario, chosen sizes
npm run bench -- --only scale --scale-sizes 3,50 --runs 2
npm run bench -- --report                        # only rebuild this page from bench/results/
\`\`\`

It starts its own Temporal dev server (pinned CLI, SQLite in a temporary directory), a worker in a child process
(the product's workflows and activities plus the benchmark's, so \`/proc\` tells its memory), and one lab sized
for the largest N; it waits (up to 15 min) while someone else's lab is up and never touches it. Python tools
(ansible-core, matplotlib) are installed once into \`.zke/tools/bench\` from PyPI. Nothing here is a test: no
timing is asserted anywhere. By default each size runs 3 times (\`--runs\`), from 25 hosts on once
(\`--large-runs\`); each section says how many runs its numbers come from.
`;

/** The machine the saved results come from, with the range of load averages seen across the scenarios. */
export function machineSummary(machines: MachineFacts[]): string {
  if (!machines.length) return '';
  const m = machines.reduce((a, b) => (b.date > a.date ? b : a));
  const loads = machines.flatMap((x) => [x.load.start, ...(x.load.end === undefined ? [] : [x.load.end])]);
  const same = machines.every((x) => x.cpus === m.cpus && x.memoryGiB === m.memoryGiB);
  return `**The machine is small and shared**: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB of memory, Linux
${m.kernel}, Node ${m.node}${same ? '' : ' (for the latest results; each section gives its own)'}. Other engineers build
and test on the same CPUs during these runs: the 1-minute load average was between ${Math.min(...loads).toFixed(1)}
and ${Math.max(...loads).toFixed(1)} (${(Math.max(...loads) / m.cpus).toFixed(0)}× the CPU count at its highest; each
section gives its own). Absolute times would be lower on a quiet machine. Ratios between tools, taken within one
run (same hosts, same minutes), hold up better, though the tool that needs more CPU loses more to the load.
`;
}

export async function writeReport(pythonBin: string): Promise<void> {
  const r = load();
  const machines = [r.pki, r.engine, r.fanout, r.scale, r.api].flatMap((x) => (x ? [x.machine] : []));
  const doc = [
    INTRO,
    machineSummary(machines),
    targetsSection(r.scale, r.fanout, r.pki),
    fanOutSection(r.fanout),
    engineSection(r.engine, r.scale),
    scaleSection(r.scale),
    pkiSection(r.pki),
    footprintSection(r.scale),
    apiSection(r.api),
    analysisSection(r),
    fs.readFileSync(path.join(here, 'attempts.md'), 'utf8'),
  ].join('\n');
  fs.writeFileSync(path.join(docs, 'benchmarks.md'), doc.replace(/\n{3,}/g, '\n\n'));
  const dataFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zke-plot-')), 'plot.json');
  fs.writeFileSync(dataFile, JSON.stringify(plotData(r)));
  fs.mkdirSync(path.join(docs, 'img'), { recursive: true });
  await runToolOrThrow(path.join(pythonBin, 'python'), [
    path.join(here, 'plot.py'),
    dataFile,
    path.join(docs, 'img'),
  ]);
  fs.rmSync(path.dirname(dataFile), { recursive: true, force: true });
  say('wrote docs/benchmarks.md and docs/img/bench-*.png');
}
