// Report sections 2 (engine overhead: no-op round trip, history per provision) and 4 (PKI).
import type { EngineResults } from '../engine/noop.ts';
import { algorithmOf, type PkiResults } from '../pkiScenario.ts';
import type { Saved } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { scaleRows } from './aggregate.ts';
import { kib, machineLine, millis, notRun, seconds, table } from './format.ts';

/** Temporal's default per-workflow history limits (the server warns at a fifth of each). */
const LIMIT_EVENTS = 51_200;
const LIMIT_BYTES = 50 * 2 ** 20;
/** The history plot needs this many provision sizes (one size is a single point). */
export const HISTORY_PLOT_MIN_SIZES = 2;

export interface HistoryPoint {
  size: number;
  events: number;
  historyBytes: number;
}

/** Least-squares slope of ys over xs (two points: the line through them). */
function slope(xs: number[], ys: number[]): number {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxy = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
  const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}

const kibPrecise = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Hosts at which a quantity growing by `perHost` from `at` (measured at `size` hosts) reaches `limit`. */
function reachText(limit: number, at: number, perHost: number, size: number, what: string): string {
  if (at >= limit) return `the ${what} warning is already reached at ${size} hosts`;
  if (!(perHost > 0)) return `the ${what} warning is not approached (no growth measured)`;
  return `the ${what} warning would come near ${Math.floor((limit - at) / perHost + size)} hosts`;
}

/** What the measured sizes say about history growth per extra host, and when Temporal's warnings would come.
 *  With one size the per-host part cannot be told from the fixed part: then only a bound is given. */
export function historyGrowthText(points: readonly HistoryPoint[]): string {
  const warnEvents = LIMIT_EVENTS / 5;
  const warnBytes = LIMIT_BYTES / 5;
  const limits = `Temporal's limits are ${LIMIT_EVENTS.toLocaleString('en')} events and ${LIMIT_BYTES / 2 ** 20} MiB per
workflow history; it warns at a fifth of each (${warnEvents.toLocaleString('en')} events, ${warnBytes / 2 ** 20} MiB).`;
  const sizes = [...new Set(points.map((p) => p.size))];
  const last = points.reduce((a, b) => (b.size > a.size ? b : a));
  if (sizes.length < 2) {
    const events = last.events / last.size;
    const bytes = last.historyBytes / last.size;
    return `The growth per extra host needs provisions of at least two sizes; only ${last.size} hosts were measured, so
the per-host part cannot be told apart from the fixed part of the history yet. ${limits} Even if all of it grew
with the host count (${events.toFixed(1)} events and ${kibPrecise(bytes)} per host at ${last.size} hosts: an upper bound
for the growth, as part of the history does not depend on hosts), the warnings would come only near ${Math.floor(warnEvents / events)} hosts (events) and
${Math.floor(warnBytes / bytes)} hosts (size), for the measured steps.`;
  }
  const xs = points.map((p) => p.size);
  const perHost = slope(
    xs,
    points.map((p) => p.events),
  );
  const bytesPerHost = slope(
    xs,
    points.map((p) => p.historyBytes),
  );
  const fit =
    sizes.length === 2
      ? `between ${Math.min(...sizes)} and ${Math.max(...sizes)} hosts`
      : `a least-squares line through the ${sizes.length} sizes`;
  return `Growth per extra host (${fit}): about ${perHost.toFixed(1)} events and ${kibPrecise(bytesPerHost)}.
${limits} At this rate ${reachText(warnEvents, last.events, perHost, last.size, 'event')} and
${reachText(warnBytes, last.historyBytes, bytesPerHost, last.size, 'size')}, for the measured steps.`;
}

function historyPart(scale: Saved<ScaleResults> | undefined): string {
  if (!scale) return 'History per provision: not measured yet (it comes with `--only scale`).';
  const rows = scaleRows(scale.data);
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

${rows.length >= HISTORY_PLOT_MIN_SIZES ? '![History events and size per provision](img/bench-history.png)' : ''}

${historyGrowthText(rows)} Payloads stay small because workflows pass cluster names and revision numbers, never
certificates or specs.`;
}

/** One 3-host lab provision on each server, when measured. */
function provisionLine(e: EngineResults): string {
  const p = e.provision3;
  if (!p) return '';
  const one = (r: typeof p.devServer) =>
    `${seconds(r.wall.wallMs)} (${seconds(r.wall.overheadMs)} of it orchestration; ${r.outcome})`;
  return `\n\nOne 3-host lab provision: ${one(p.devServer)} on the dev server, ${one(p.topology)} on the Temporal cluster.`;
}

/** The round trips on the dev server, and beside them on the Temporal cluster when that ran too. */
function engineTable(e: EngineResults): string {
  const on = [e, ...(e.topology ? [e.topology] : [])];
  const header = e.topology
    ? ['measure', 'dev server: median', '90th percentile', 'Temporal cluster: median', '90th percentile']
    : ['measure', 'median', '90th percentile'];
  return table(header, [
    [
      `no-op activity round trip (${e.loopActivities * e.loops} samples)`,
      ...on.flatMap((r) => [millis(r.roundTripMs.median), millis(r.roundTripMs.p90)]),
    ],
    ['of which activity scheduled → completed', ...on.flatMap((r) => [millis(r.activityMs.median), '–'])],
    [
      'client: start → result of a one-activity workflow (20 samples)',
      ...on.flatMap((r) => [millis(r.workflowMs.median), millis(r.workflowMs.p90)]),
    ],
  ]);
}

export function engineSection(
  engine: Saved<EngineResults> | undefined,
  scale: Saved<ScaleResults> | undefined,
): string {
  const e = engine?.data;
  const noop = e
    ? `${machineLine(engine.machine)}

A workflow runs ${e.loopActivities} no-op activities one after another (${e.loops === 1 ? 'one such workflow' : `${e.loops} such workflows, one after the other`}). One **round
trip** is the time from scheduling an activity to scheduling the next one, read from the history: server
dispatch, the (empty) execution on the worker, completion, and the workflow task that reacts.

${engineTable(e)}

A ${e.loopActivities}-activity workflow's history: ${e.loopHistory.events} events, ${kib(e.loopHistory.bytes)}.${
        e.topology
          ? ` "Temporal cluster" is the production topology of \`scripts/cluster.sh\` (frontend, history, matching and
worker as separate processes on PostgreSQL, the worker reaching the frontend over mTLS), on the same machine.`
          : ''
      }${provisionLine(e)}`
    : 'Not run yet (`npm run bench -- --only engine`).';
  return `## 2. Engine overhead (Temporal dev server${e?.topology ? ' and a Temporal cluster' : ''})

${noop}

${historyPart(scale)}
`;
}

export function pkiSection(saved: Saved<PkiResults> | undefined): string {
  if (!saved) return notRun('## 4. PKI generation', 'pki');
  const r = saved.data;
  // bench/pki.ts prints whole milliseconds
  const ms = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(0)} ms`);
  const rows = r.rows.map((x) => [
    algorithmOf(x),
    x.nodes,
    x.etcd,
    x.certs,
    `**${ms(x.freshMs)}**`,
    ms(x.freshCpuMs),
    ms(x.keygenMs),
    ms(x.rerunMs),
    ms(x.addWorkerMs),
    ms(x.nodeFilesMs),
  ]);
  return `## 4. PKI generation

${machineLine(saved.machine)}

\`bench/pki.ts\` (run as is by the runner; ${r.runs === 1 ? 'a single run' : `median of ${r.runs} runs`} of each
measure), once with RSA-2048 keys (the default, as RKE) and once with ECDSA P-256 keys (\`cert_key_algorithm:
ECDSA-P256\`): \`generateBundle\` for a fresh cluster of 5, 50 and 500 nodes (only etcd hosts add a certificate,
\`kube-etcd-*\`, so the node count barely matters), the CPU time of that (all threads: keys are generated
on libuv's pool), the same number of keys generated alone (a separate measurement, so under changing
load it can come out above the bundle), a no-op re-run with the existing bundle, adding one worker, and
\`certFiles\` for every node.

${table(
  [
    'keys',
    'nodes',
    'etcd',
    'certificates',
    'fresh bundle',
    'its CPU time',
    'keygen alone',
    're-run (no-op)',
    '+ 1 worker',
    'certFiles (all nodes)',
  ],
  rows,
)}
`;
}
