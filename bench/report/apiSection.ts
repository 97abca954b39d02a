// The report's section on the API under concurrent read load (bench/api/scenario.ts).
import type { ApiLoadResults, Latency } from '../api/scenario.ts';
import type { Saved } from '../results.ts';
import { machineLine, millis, notRun, table } from './format.ts';

const TITLE = '## 6. API under read load';

function row(endpoint: string, l: Latency, target: string): (string | number)[] {
  return [endpoint, l.requests, l.failures, millis(l.medianMs), millis(l.p95Ms), millis(l.p99Ms), target];
}

export function apiSection(saved: Saved<ApiLoadResults> | undefined): string {
  if (!saved) return notRun(TITLE, 'api');
  const r = saved.data;
  return `${TITLE}

${machineLine(saved.machine)}

\`bench/api/scenario.ts\`: ${r.clusters} clusters written straight into the store, the API in a child process
against a Temporal dev server, then ${r.readers} concurrent \`GET /v1/clusters\` and ${r.readers} concurrent
\`GET /healthz\` at the same moment (a single burst; issue 14).

${table(
  ['endpoint', 'requests', 'failed', 'median', 'p95', 'p99', 'target'],
  [row('`GET /v1/clusters`', r.list, 'median < 50 ms'), row('`GET /healthz`', r.healthz, 'p99 < 100 ms')],
)}
`;
}
