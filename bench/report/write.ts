// Writes docs/benchmarks.md and docs/img/bench-*.png from bench/results/*.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineResults } from '../engine/noop.ts';
import { TOOLS } from '../fanout/runners.ts';
import { type FanOutResults, PHASES } from '../fanout/scenario.ts';
import type { PkiResults } from '../pkiScenario.ts';
import { runToolOrThrow } from '../proc.ts';
import { type LabRunFacts, loadResults } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { say } from '../stats.ts';
import { fanOutRows, scaleRows } from './aggregate.ts';
import { engineSection, pkiSection } from './engineSection.ts';
import { fanOutSection } from './fanoutSection.ts';
import { footprintSection, scaleSection } from './scaleSection.ts';
import { targetsSection } from './targets.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const docs = path.join(here, '../../docs');

function load() {
  return {
    pki: loadResults<PkiResults>('pki'),
    engine: loadResults<EngineResults>('engine'),
    fanout: loadResults<FanOutResults & LabRunFacts>('fanout'),
    scale: loadResults<ScaleResults & LabRunFacts>('scale'),
  };
}

function plotData(r: ReturnType<typeof load>) {
  const fanout = r.fanout && {
    sizes: r.fanout.data.sizes,
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
    steps,
    stepWall: Object.fromEntries(
      steps.map((s) => [s, rows.map((x) => x.steps.find((y) => y.step === s)?.wallMs ?? 0)]),
    ),
    overhead: rows.map((x) => x.overheadMs),
  };
  const history = rows.length && {
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
npm run bench                                    # everything (pki, engine, fanout 3/10/25, scale 3/10/25/50), 3 runs
npm run bench -- --only fanout --sizes 3,10      # one scenario, chosen sizes
npm run bench -- --only scale --scale-sizes 3,50 --runs 2
npm run bench -- --report                        # only rebuild this page from bench/results/
\`\`\`

It starts its own Temporal dev server (pinned CLI, SQLite in a temporary directory), a worker in a child process
(the product's workflows and activities plus the benchmark's, so \`/proc\` tells its memory), and one lab sized
for the largest N; it waits (up to 15 min) while someone else's lab is up and never touches it. Python tools
(ansible-core, matplotlib) are installed once into \`.zke/tools/bench\` from PyPI. Nothing here is a test: no
timing is asserted anywhere.

**The machine is small and shared**: 2 CPUs, with other engineers compiling Kubernetes on them during these
runs (load averages are given per section). Every number is a median of several runs; ratios between tools are
taken within one run (same hosts, same minute), then the median. Absolute times will be lower on a quiet machine;
the ratios are the robust part.
`;

export async function writeReport(pythonBin: string): Promise<void> {
  const r = load();
  const analysis = fs.readFileSync(path.join(here, 'analysis.md'), 'utf8');
  const doc = [
    INTRO,
    targetsSection(r.scale, r.fanout, r.pki),
    fanOutSection(r.fanout),
    engineSection(r.engine, r.scale),
    scaleSection(r.scale),
    pkiSection(r.pki),
    footprintSection(r.scale),
    analysis,
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
