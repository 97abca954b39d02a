// Scenario "fanout": zke vs Ansible vs a sequential ssh loop on the same lab hosts in the same run. For each
// size and run, each tool (in rotating order) does the job three times: on clean hosts ("fresh"), again
// with nothing to change ("unchanged"), and with new container arguments ("changed": a replace).
import fs from 'node:fs';
import path from 'node:path';
import type { LabHost } from '../../test/support/lab.ts';
import { criticalWorkMs } from '../criticalPath.ts';
import { say } from '../stats.ts';
import type { BenchTemporal } from '../temporal.ts';
import { pullImage, verify, wipe } from './hosts.ts';
import { type JobContext, runJob, TOOLS, type Tool } from './runners.ts';
import { stageCertificates } from './stage.ts';

export const PHASES = ['fresh', 'unchanged', 'changed'] as const;
export type Phase = (typeof PHASES)[number];

export interface FanOutSample {
  size: number;
  run: number;
  tool: Tool;
  phase: Phase;
  ms: number;
  /** zke only: workflow history size and the activity time on its critical path. */
  events?: number;
  historyBytes?: number;
  criticalWorkMs?: number;
}

export interface FanOutResults {
  sizes: number[];
  /** Runs per size, aligned with sizes. */
  runs: number[];
  filesPerHost: { controlplane: number; worker: number };
  bytesPerHostAvg: number;
  samples: FanOutSample[];
}

export interface FanOutOptions {
  temporal: BenchTemporal;
  hosts: readonly LabHost[];
  sizes: number[];
  runsFor: (size: number) => number;
  workDir: string;
  pythonBin: string;
}

const GEN_OF: Record<Phase, number> = { fresh: 0, unchanged: 0, changed: 1 };

async function toolRound(
  ctx: JobContext,
  tool: Tool,
  files: Record<string, number>,
  base: Omit<FanOutSample, 'tool' | 'phase' | 'ms'>,
) {
  await wipe(ctx.hosts);
  const samples: FanOutSample[] = [];
  for (const phase of PHASES) {
    const r = await runJob(tool, ctx, GEN_OF[phase]);
    await verify(ctx.hosts, tool, GEN_OF[phase], files);
    const history = r.history && {
      events: r.history.events,
      historyBytes: r.history.bytes,
      criticalWorkMs: criticalWorkMs(r.history.activities),
    };
    samples.push({ ...base, tool, phase, ms: r.ms, ...history });
    say(`fanout n=${base.size} run ${base.run} ${tool} ${phase}: ${(r.ms / 1000).toFixed(2)} s`);
  }
  return samples;
}

export async function runFanOut(o: FanOutOptions): Promise<FanOutResults> {
  const results: FanOutResults = {
    sizes: o.sizes,
    runs: o.sizes.map(o.runsFor),
    filesPerHost: { controlplane: 0, worker: 0 },
    bytesPerHostAvg: 0,
    samples: [],
  };
  for (const size of o.sizes) {
    const hosts = o.hosts.slice(0, size);
    const stageDir = path.join(o.workDir, `stage-${size}`);
    const stage = await stageCertificates(hosts, stageDir);
    results.filesPerHost = {
      controlplane: stage.files[hosts[0]!.name]!,
      worker: stage.files[hosts.at(-1)!.name]!,
    };
    results.bytesPerHostAvg = Math.round(stage.bytes / size);
    await pullImage(hosts);
    const ctx: JobContext = {
      temporal: o.temporal,
      hosts,
      stageDir,
      workDir: o.workDir,
      pythonBin: o.pythonBin,
    };
    for (let run = 0; run < o.runsFor(size); run++) {
      const order = TOOLS.map((_, i) => TOOLS[(i + run) % TOOLS.length]!);
      for (const tool of order)
        results.samples.push(...(await toolRound(ctx, tool, stage.files, { size, run })));
    }
    await wipe(hosts);
    fs.rmSync(stageDir, { recursive: true, force: true });
  }
  return results;
}
