// Report section 1: the fan-out job done by zke, Ansible and a sequential ssh loop.
import type { FanOutResults } from '../fanout/scenario.ts';
import type { LabRunFacts, Saved } from '../results.ts';
import { type FanOutRow, fanOutRows } from './aggregate.ts';
import { machineLine, notRun, runsClause, seconds, table, times } from './format.ts';

const PHASE_TEXT = {
  fresh: 'fresh (clean hosts)',
  unchanged: 'unchanged (re-run)',
  changed: 'changed (new args: replace)',
};

export function fanOutSection(saved: Saved<FanOutResults & LabRunFacts> | undefined): string {
  if (!saved) return notRun('## 1. Fan-out: zke vs Ansible vs a plain ssh loop', 'fanout');
  const r = saved.data;
  const rows = fanOutRows(r);
  const body = table(
    [
      'hosts',
      'pass',
      'zke',
      'Ansible (forks = N)',
      'ssh loop',
      'zke / Ansible',
      'zke / ssh loop',
      'zke: remote work on critical path',
    ],
    rows.map((x) => [
      x.size,
      PHASE_TEXT[x.phase],
      seconds(x.ms.zke),
      seconds(x.ms.ansible),
      seconds(x.ms.ssh),
      `**${times(x.zkeVsAnsible)}**`,
      times(x.zkeVsSsh),
      seconds(x.zkeCriticalWorkMs),
    ]),
  );
  return `## 1. Fan-out: zke vs Ansible vs a plain ssh loop

${machineLine(saved.machine)}

The same job on the same lab hosts in the same run: copy to every host the certificate set it gets in a
cluster whose first three hosts are etcd + control plane (${r.filesPerHost.controlplane} files there,
${r.filesPerHost.worker} on a worker; ${(r.bytesPerHostAvg / 1024).toFixed(0)} KiB per host on average at ${r.sizes.at(-1)} hosts, from
\`model/pki\` \`generateBundle\` + \`certFiles\`), then make the host run one container
(\`zke/tools:v1 sleep 3600\`, labelled, certificates bind-mounted), replacing it when its arguments change.
Each tool does three passes per run: on clean hosts, again with nothing to change, and with new container
arguments. Wall times are ${runsClause(r.sizes, r.runs)}; ${ratioClause(r.runs)}.
${r.runs.some((n) => n > 1) ? 'The tools take turns going first (a different one in each run).' : 'The tools ran in the order zke, Ansible, ssh loop.'}

${body}

![Fan-out wall time per tool and host count](img/bench-fanout.png)

How each tool runs the job:

- **zke**: \`bench/workflows.ts\` \`fanOutJob\` on the benchmark worker: per host, the product's SFTP sync
  (\`activities/ssh/files.ts\` \`syncFiles\`: writes a file only when its content differs) then its container
  reconcile (\`activities/reconcile.ts\` \`reconcileContainer\`, Docker API over the SSH-forwarded socket), at most
  min(N, 50) hosts at once, host keys verified. Wall time = client start → result, with the worker already
  running (it is a service); its start (workflow bundle) took ${seconds(saved.data.workerBundleMs)} once.
- **Ansible**: ansible-core (\`bench/fanout/playbook.yml\`, builtin modules only: \`file\`, \`copy\` of the host's
  directory, \`shell\` running \`bench/fanout/container.sh\`, which calls \`docker run\`/\`docker rm\` only when the
  running container's generation label differs), \`-f N\`, \`gather_facts: false\`, SSH pipelining on,
  ControlPersist (Ansible's default), strict host key checking. Wall time = the \`ansible-playbook\` process.
- **ssh loop**: \`bench/fanout/ssh-loop.sh\`: host after host, \`ssh mkdir\`, \`scp -r\`, \`ssh sh -s <container.sh\`,
  a new connection each time, no content check (it always copies).

After every pass the runner checks on each host (through \`nsenter\`, untimed) that the tool's container runs
with the expected arguments and that all its files are there. The image is pulled on every host beforehand.
${targetNote(rows)}`;
}

/** Ratios are taken within a run (same hosts, same minute); with several runs, their median is shown. */
function ratioClause(runs: number[]): string {
  return runs.every((n) => n === 1)
    ? 'ratios are between the tools in that run (same hosts, same minutes)'
    : 'ratios are taken within each run (same hosts, same minutes), then the median';
}

function targetNote(rows: FanOutRow[]): string {
  const largest = Math.max(...rows.map((r) => r.size));
  const atLargest = rows.filter((r) => r.size === largest);
  const list = atLargest.map((r) => `${times(r.zkeVsAnsible)} (${r.phase})`).join(', ');
  return `\nAt ${largest} hosts zke takes ${list} of Ansible's time.\n`;
}
