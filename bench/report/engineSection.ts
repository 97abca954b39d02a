// Report sections 2 (engine overhead: no-op round trip, history per provision) and 4 (PKI).
import type { EngineResults } from '../engine/noop.ts';
import type { PkiResults } from '../pkiScenario.ts';
import type { Saved } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { scaleRows } from './aggregate.ts';
import { kib, machineLine, millis, notRun, table } from './format.ts';

/** Temporal's default per-workflow history limits (the server warns at a fifth of each). */
const LIMIT_EVENTS = 51_200;
const LIMIT_BYTES = 50 * 2 ** 20;

function historyPart(scale: Saved<ScaleResults> | undefined): string {
  if (!scale) return 'History per provision: not measured yet (it comes with `--only scale`).';
  const rows = scaleRows(scale.data);
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const perHost = (last.events - first.events) / Math.max(1, last.size - first.size);
  const bytesPerHost = (last.historyBytes - first.historyBytes) / Math.max(1, last.size - first.size);
  const hostsAt = (limit: number, at: number, slope: number) =>
    Math.floor((limit / 5 - at) / slope + last.size);
  return `History of one provision (measured steps only, see section 3) vs host count:

${table(
  ['hosts', 'events', 'history size', 'payload bytes', 'events per host'],
  rows.map((r) => [
    r.size,
    r.events,
    kib(r.historyBytes),
    kib(r.payloadBytes),
    (r.events / r.size).toFixed(1),
  ]),
)}

![History events and size per provision](img/bench-history.png)

Growth is linear: about ${perHost.toFixed(1)} events and ${kib(bytesPerHost)} per extra host. Temporal's
limits are ${LIMIT_EVENTS.toLocaleString('en')} events and 50 MiB per workflow history (it warns at a fifth of
each); at this rate the warning threshold of ${(LIMIT_EVENTS / 5).toLocaleString('en')} events would be reached
near ${hostsAt(LIMIT_EVENTS, last.events, perHost)} hosts and the ${(LIMIT_BYTES / 5 / 2 ** 20).toFixed(0)} MiB one near
${hostsAt(LIMIT_BYTES, last.historyBytes, bytesPerHost)} hosts, for the measured steps. Payloads stay small because
workflows pass cluster names and revision numbers, never certificates or specs.`;
}

export function engineSection(
  engine: Saved<EngineResults> | undefined,
  scale: Saved<ScaleResults> | undefined,
): string {
  const e = engine?.data;
  const noop = e
    ? `${machineLine(engine.machine)}

A workflow runs ${e.loopActivities} no-op activities one after another (${e.loops} such workflows). One **round
trip** is the time from scheduling an activity to scheduling the next one, read from the history: server
dispatch, the (empty) execution on the worker, completion, and the workflow task that reacts.

${table(
  ['measure', 'median', '90th percentile'],
  [
    [
      `no-op activity round trip (${e.loopActivities * e.loops} samples)`,
      millis(e.roundTripMs.median),
      millis(e.roundTripMs.p90),
    ],
    ['of which activity scheduled → completed', millis(e.activityMs.median), '–'],
    [
      'client: start → result of a one-activity workflow (20 samples)',
      millis(e.workflowMs.median),
      millis(e.workflowMs.p90),
    ],
  ],
)}

A ${e.loopActivities}-activity workflow's history: ${e.loopHistory.events} events, ${kib(e.loopHistory.bytes)}.`
    : 'Not run yet (`npm run bench -- --only engine`).';
  return `## 2. Engine overhead (Temporal dev server)

${noop}

${historyPart(scale)}
`;
}

export function pkiSection(saved: Saved<PkiResults> | undefined): string {
  if (!saved) return notRun('## 4. PKI generation', 'pki');
  return `## 4. PKI generation

${machineLine(saved.machine)}

\`bench/pki.ts\` (run as is by the runner, median of ${saved.data.runs} runs): a fresh bundle for 5, 50 and
500 nodes, the share of it spent generating RSA keys, a no-op re-run with the existing bundle, adding one
worker, and \`certFiles\` for every node.

\`\`\`
${saved.data.output}
\`\`\`
`;
}
