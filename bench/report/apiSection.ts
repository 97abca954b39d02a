// The report's section on the API under concurrent read load (bench/api/scenario.ts).
import type { ApiLoadResults, Latency } from '../api/scenario.ts';
import type { Saved } from '../results.ts';
import { machineLine, millis, notRun, table } from './format.ts';

const TITLE = '## 6. API under read load';

function row(endpoint: string, l: Latency, target: string): (string | number)[] {
  return [endpoint, l.requests, l.failures, millis(l.medianMs), millis(l.p95Ms), millis(l.p99Ms), target];
}

const verdict = (met: boolean, target: string) => `${target}: ${met ? 'met' : '**missed**'}`;

export function apiSection(saved: Saved<ApiLoadResults> | undefined): string {
  if (!saved) return notRun(TITLE, 'api');
  const r = saved.data;
  return `${TITLE}

${machineLine(saved.machine)}

\`bench/api/scenario.ts\`: ${r.clusters} clusters written straight into the store, the API in a child process
against the bench's Temporal dev server and worker, measured once the API's token file is 2 s old (a newer one is
read again on every request: the first seconds' cost, not the steady state). ${burstsLine(r)} The client runs on the same CPUs as the API,
Temporal and the worker. ${'`GET /v1/clusters`'} one at a time is sent before the bursts: what a single listing
costs, to which a burst adds its queueing.${
    r.floor
      ? ` The floor rows are the same bursts against a bare \`node:http\` server answering a body of the listing's
size at once (\`bench/api/floorServer.ts\`): what this machine and this client cost at that moment, with no API.`
      : ''
  }

${table(
  ['endpoint', 'requests', 'failed', 'median', 'p95', 'p99', 'target'],
  [
    row('`GET /v1/clusters`', r.list, verdict(r.list.medianMs < 50, 'median < 50 ms')),
    row('`GET /healthz`', r.healthz, verdict(r.healthz.p99Ms < 100, 'p99 < 100 ms')),
    ...(r.listAlone ? [row('`GET /v1/clusters`, one at a time', r.listAlone, '')] : []),
    ...(r.floor
      ? [
          row('floor: bare server, as the list', r.floor.list, ''),
          row('floor: bare server, as /healthz', r.floor.healthz, ''),
        ]
      : []),
  ],
)}
`;
}

function burstsLine(r: ApiLoadResults): string {
  if (!r.rounds)
    return `Then ${r.readers} concurrent \`GET /v1/clusters\` and ${r.readers} concurrent \`GET /healthz\` at the same moment (a single burst, a new connection per request).`;
  return `Then ${r.rounds} bursts, each of ${r.readers} \`GET /v1/clusters\` and ${r.readers} \`GET /healthz\` sent at the same moment, every reader on its own kept-alive connection (opened by a first, unmeasured burst).`;
}
