// Report sections 3 (provisioning scale, per step) and 5 (footprint).
import type { LabRunFacts, Saved } from '../results.ts';
import type { ProvisionRun } from '../scale/provision.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { failedRuns, type ScaleRow, scaleRows } from './aggregate.ts';
import { machineLine, mib, notRun, pct, runsClause, seconds, table } from './format.ts';

function outcomeNote(r: ScaleResults): string {
  const stopped = r.provisions.find((p) => p.outcome.startsWith('stopped'));
  const failed = failedRuns(r);
  const notes: string[] = [];
  if (stopped) {
    notes.push(`**Full provisioning cannot complete in the lab yet**: its registry lacks ${stopped.missingImages.map((i) => `\`${i}\``).join(', ')}
(the Kubernetes images are still being built). Each provision was therefore measured up to the start of the step
that needs them (\`${stopped.outcome.replace('stopped before ', '')}\`) and then terminated: the wall times,
breakdowns, history sizes and ratios below cover only the steps listed in the per-step table.`);
  }
  const unfinished = (r.requested ?? []).filter((size) => !r.sizes.includes(size));
  if (unfinished.length)
    notes.push(`The run was also asked for ${unfinished.join(', ')} hosts but did not finish them; see
[Runs that did not finish](#runs-that-did-not-finish-written-by-hand-kept-by---report).`);
  if (failed.length) notes.push(failedTable(failed));
  return notes.join('\n\n');
}

/** Failed provisions, left out of every median below: how far each got and when it gave up. */
function failedTable(failed: ProvisionRun[]): string {
  const rows = failed.map((p) => {
    const last = p.steps.at(-1);
    return [
      p.size,
      p.run + 1,
      p.outcome.replace(/^failed: /, ''),
      seconds(p.wall.wallMs),
      last ? `${last.step} (${seconds(last.wallMs)} in it)` : '–',
      p.retries,
    ];
  });
  return `**Provisions that did not finish** (left out of every median, table and target below):

${table(['hosts', 'run', 'why', 'gave up after', 'last step reached', 'retried activities'], rows)}`;
}

function stepTable(rows: ScaleRow[]): string {
  const steps = [...new Set(rows.flatMap((r) => r.steps.map((s) => s.step)))];
  return table(
    ['step', ...rows.map((r) => `${r.size} hosts: wall (overhead)`)],
    steps.map((step) => [
      step,
      ...rows.map((r) => {
        const s = r.steps.find((x) => x.step === step);
        return s ? `${seconds(s.wallMs)} (${seconds(s.overheadMs)})` : '–';
      }),
    ]),
  );
}

export function scaleSection(saved: Saved<ScaleResults & LabRunFacts> | undefined): string {
  if (!saved) return notRun('## 3. Provisioning scale', 'scale');
  const r = saved.data;
  const rows = scaleRows(r);
  const main = table(
    [
      'hosts',
      'runs',
      'wall',
      'remote work (critical path)',
      'orchestration overhead',
      'overhead share',
      'retried activities',
    ],
    rows.map((x) => [
      x.size,
      x.runs,
      seconds(x.wallMs),
      seconds(x.workMs),
      seconds(x.overheadMs),
      pct(x.overheadPct),
      x.retries,
    ]),
  );
  return `## 3. Provisioning scale

${machineLine(saved.machine)}

\`ProvisionCluster\` (the product workflow, real activities) on the first N lab hosts: etcd + control plane
(+ worker) on three hosts, the other hosts workers; default \`max_parallel_hosts\` (50). Hosts are wiped before
each run (containers, certificates, etcd data), so each run is a first provision; images stay cached in each
host's Docker after the first run. Times are ${runsClause(
    rows.map((x) => x.size),
    rows.map((x) => x.runs),
  )}. The lab itself (\`zlab.sh up ${saved.data.labSize}\`:
${saved.data.labSize} hosts with sshd and dockerd) took ${seconds(saved.data.labUpMs)} to come up.

${outcomeNote(r)}

**Wall time** runs from the workflow's first history event to the end of the last measured step (step
boundaries are the workflow's \`ClusterPhase\` search-attribute upserts in its history). **Remote work on the
critical path** is the longest chain of activity executions (ActivityTaskStarted → closed) that follow one
another; for a parallel step that is its slowest host, for the etcd plane the three hosts in turn plus the
health wait. **Orchestration overhead** = wall − that: scheduling, task dispatch, workflow tasks, and waiting for
a free activity slot or CPU before an activity starts.

${main}

Per step (median wall time, orchestration overhead in parentheses):

${stepTable(rows)}

![Provision wall time per step and host count](img/bench-scale.png)
`;
}

export function footprintSection(saved: Saved<ScaleResults> | undefined): string {
  const f = saved?.data.footprint;
  if (!f) return notRun('## 5. Footprint', 'scale');
  const row = (
    name: string,
    x: { peakRssMiB: number; sampledPeakMiB: number; startRssMiB: number; cpuSeconds: number },
  ) => [name, mib(x.peakRssMiB), mib(x.sampledPeakMiB), mib(x.startRssMiB), `${x.cpuSeconds.toFixed(1)} s`];
  const rows = [
    row('worker (bench worker: product workflows + activities)', f.worker),
    row('Temporal dev server', f.temporalServer),
  ];
  const api = 'error' in f.api ? `The API was not measured: it did not start (${f.api.error}).` : '';
  if (!('error' in f.api))
    rows.push(row(`API (polled: ${f.api.requests} GET /v1/clusters, ${f.api.failures} non-2xx)`, f.api));
  const during = f.provisions === 1 ? 'the provision' : `the ${f.provisions} provisions`;
  const failedHere = failedRuns(saved!.data).filter((p) => p.size === f.size).length;
  const failedNote = failedHere
    ? `; ${failedHere === f.provisions ? 'it' : `${failedHere} of them`} did not finish, so this covers the work until zke gave up`
    : '';
  return `## 5. Footprint

During ${during} of ${f.size} hosts in section 3 (the largest size run${failedNote}), each process measured
from \`/proc/<pid>\`: peak RSS is \`VmHWM\`, reset (\`clear_refs\`) just before; RSS also sampled every 250 ms.
The API, when it starts, is polled every 500 ms as a UI would.

${table(['process', 'peak RSS', 'sampled peak', 'RSS before', 'CPU time'], rows)}

${api}
`;
}
