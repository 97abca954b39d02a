// The issue's targets, each with what was measured and whether it is met.
import type { FanOutResults } from '../fanout/scenario.ts';
import type { PkiResults } from '../pkiScenario.ts';
import type { Saved } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { fanOutRows, scaleRows } from './aggregate.ts';
import { millis, pct, table, times } from './format.ts';

type Verdict = [target: string, measured: string, verdict: string];

const verdict = (ok: boolean | undefined) =>
  ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**';

function scaleTargets(scale: Saved<ScaleResults> | undefined): Verdict[] {
  const rows = scale ? scaleRows(scale.data) : [];
  const partial = scale?.data.provisions.some((p) => p.outcome.startsWith('stopped'))
    ? ' (measured steps only, see §3)'
    : '';
  const worst = rows.reduce<(typeof rows)[number] | undefined>(
    (w, r) => (!w || r.overheadPct > w.overheadPct ? r : w),
    undefined,
  );
  const small = rows[0];
  const big = rows.at(-1);
  const growth = small && big && big !== small ? big.wallMs / small.wallMs : undefined;
  return [
    [
      'orchestration overhead ≤ 10 % of wall time',
      worst ? `${rows.map((r) => `${pct(r.overheadPct)} at ${r.size}`).join(', ')} hosts${partial}` : '–',
      verdict(worst && worst.overheadPct <= 10),
    ],
    [
      '50-host provision ≤ 2× the 3-host time',
      growth ? `${times(growth)} (${big!.size} vs ${small!.size} hosts)${partial}` : '–',
      verdict(growth === undefined ? undefined : growth <= 2),
    ],
  ];
}

function fanOutTarget(fanout: Saved<FanOutResults> | undefined): Verdict {
  const rows = fanout ? fanOutRows(fanout.data) : [];
  const largest = Math.max(...rows.map((r) => r.size));
  const atLargest = rows.filter((r) => r.size === largest);
  const worst = Math.max(...atLargest.map((r) => r.zkeVsAnsible));
  const measured = atLargest.map((r) => `${times(r.zkeVsAnsible)} ${r.phase}`).join(', ');
  return [
    'zke ≤ 0.5× Ansible on the fan-out',
    rows.length ? `${measured} (${largest} hosts)` : '–',
    verdict(rows.length ? worst <= 0.5 : undefined),
  ];
}

function pkiTarget(pki: Saved<PkiResults> | undefined): Verdict {
  const row = pki?.data.rows.find((r) => r.nodes === 50);
  return ['50-node PKI ≤ 1 s', row ? millis(row.freshMs) : '–', verdict(row && row.freshMs <= 1000)];
}

export function targetsSection(
  scale: Saved<ScaleResults> | undefined,
  fanout: Saved<FanOutResults> | undefined,
  pki: Saved<PkiResults> | undefined,
): string {
  const rows = [...scaleTargets(scale), fanOutTarget(fanout), pkiTarget(pki)];
  return `## Targets (issue 9)

${table(['target', 'measured (medians)', ''], rows)}

Where a target is missed, [Where the time goes](#where-the-time-goes) says why.
`;
}
