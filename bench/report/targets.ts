// The issue's targets, each with what was measured and whether it is met.
import type { FanOutResults } from '../fanout/scenario.ts';
import { PKI_TARGET_MS, type PkiResults, type PkiRow, pkiRow } from '../pkiScenario.ts';
import type { Saved } from '../results.ts';
import type { ScaleResults } from '../scale/scenario.ts';
import { failedRuns, fanOutRows, scaleRows } from './aggregate.ts';
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
  const small = rows.find((r) => r.size === 3);
  const big = rows.find((r) => r.size === 50);
  const growth = small && big ? big.wallMs / small.wallMs : undefined;
  const bigFailed = !big && scale ? failedRuns(scale.data).find((p) => p.size === 50) : undefined;
  const largest = rows.at(-1);
  const upTo =
    largest && largest.size < 50 ? ` (up to ${largest.size} hosts; larger sizes not measured)` : '';
  return [
    [
      'orchestration overhead ≤ 10 % of wall time',
      worst ? `${rows.map((r) => `${pct(r.overheadPct)} at ${r.size}`).join(', ')} hosts${partial}` : '–',
      worst ? `${verdict(worst.overheadPct <= 10)}${upTo}` : verdict(undefined),
    ],
    [
      '50-host provision ≤ 2× the 3-host time',
      growth
        ? `${times(growth)} (50 vs 3 hosts)${partial}`
        : bigFailed
          ? `the 50-host provision did not finish (${bigFailed.outcome.replace(/^failed: /, '')}, see §3)`
          : rows.length
            ? `only ${sizesText(rows)} measured`
            : '–',
      bigFailed ? verdict(false) : verdict(growth === undefined ? undefined : growth <= 2),
    ],
  ];
}

function fanOutTarget(fanout: Saved<FanOutResults> | undefined): Verdict {
  const rows = fanout ? fanOutRows(fanout.data) : [];
  if (!rows.length) return ['zke ≤ 0.5× Ansible on the fan-out', '–', verdict(undefined)];
  const largest = Math.max(...rows.map((r) => r.size));
  const atLargest = rows.filter((r) => r.size === largest);
  const worst = rows.reduce((w, r) => (r.zkeVsAnsible > w.zkeVsAnsible ? r : w));
  const measured = atLargest.map((r) => `${times(r.zkeVsAnsible)} ${r.phase}`).join(', ');
  const sizes = [...new Set(rows.map((r) => r.size))];
  const worstText =
    sizes.length > 1
      ? `; highest of all ${sizes.length} sizes: ${times(worst.zkeVsAnsible)} (${worst.size} hosts, ${worst.phase})`
      : '';
  return [
    'zke ≤ 0.5× Ansible on the fan-out',
    `${measured} (${largest} hosts)${worstText}`,
    verdict(worst.zkeVsAnsible <= 0.5),
  ];
}

function pkiTarget(pki: Saved<PkiResults> | undefined): Verdict {
  const rsa = pki && pkiRow(pki.data, 'RSA-2048', 50);
  const ecdsa = pki && pkiRow(pki.data, 'ECDSA-P256', 50);
  const cpu = (row: PkiRow) => (row.freshCpuMs === undefined ? '' : ` (${millis(row.freshCpuMs)} of CPU)`);
  const measured = [
    rsa && `RSA-2048 keys (default): ${millis(rsa.freshMs)}${cpu(rsa)}`,
    ecdsa && `ECDSA-P256 keys: ${millis(ecdsa.freshMs)}${cpu(ecdsa)}`,
  ].filter(Boolean);
  const rsaMet = rsa && rsa.freshMs <= PKI_TARGET_MS;
  const ecdsaMet = ecdsa && ecdsa.freshMs <= PKI_TARGET_MS;
  const text =
    ecdsaMet && !rsaMet
      ? `${verdict(true)} with \`cert_key_algorithm: ECDSA-P256\`; missed with the RSA-2048 default`
      : verdict(rsa && rsaMet);
  return ['50-node PKI ≤ 1 s', measured.join('; ') || '–', text];
}

const sizesText = (rows: { size: number }[]) => `${rows.map((r) => r.size).join(', ')} hosts`;

/** One row per target of the issue: what it is, what was measured, the verdict. */
export function targetRows(
  scale: Saved<ScaleResults> | undefined,
  fanout: Saved<FanOutResults> | undefined,
  pki: Saved<PkiResults> | undefined,
): Verdict[] {
  return [...scaleTargets(scale), fanOutTarget(fanout), pkiTarget(pki)];
}

export function targetsSection(
  scale: Saved<ScaleResults> | undefined,
  fanout: Saved<FanOutResults> | undefined,
  pki: Saved<PkiResults> | undefined,
): string {
  const rows = targetRows(scale, fanout, pki);
  const count = (v: string) => rows.filter((r) => r[2].startsWith(v)).length;
  const optIn = rows.filter((r) => r[2].startsWith('**met**') && r[2].includes('missed with')).length;
  const met = `${count('**met**')} met${optIn ? ` (${optIn} only with an opt-in setting)` : ''}`;
  const summary = `${met}, ${count('**missed**')} missed, ${count('not measured')} not measured.`;
  const why = count('**missed**')
    ? ' Where a target is missed, [Where the time goes](#where-the-time-goes) says why.'
    : '';
  return `## Targets (issue 9)

${table(['target', 'measured', 'verdict'], rows)}

${summary}${why}
`;
}
