// docs/conformance.md from every saved conformance run (conformance/results/<version>/<slice>/): the runs of one
// Kubernetes version and zke commit are merged (a spec run in several slices counts once, its latest result).
import fs from 'node:fs';
import path from 'node:path';

export interface SpecResult {
  name: string;
  /** interrupted: the part's timeout (ginkgo --timeout) ended it before it finished. */
  status: 'passed' | 'failed' | 'skipped' | 'interrupted';
  seconds: number;
  /** The failure's message (failed), or why the spec skipped itself. */
  message?: string;
}

export interface RunInfo {
  version: string;
  slice: string;
  zkeCommit: string;
  startedAt: string;
  focus: string[];
  skip: string[];
  nodes: number;
  provisionSeconds: number;
  parts: { name: string; seconds: number; exitCode: number }[];
  machine: string;
  spec: string;
}

export interface SavedRun {
  info: RunInfo;
  specs: SpecResult[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
    e[0] === '#' ? String.fromCodePoint(Number(e.slice(1).replace(/^x/i, '0x'))) : (ENTITIES[e] ?? m),
  );
const attr = (tag: string, name: string) => {
  const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`));
  return m ? unescapeXml(m[1]) : undefined;
};

/** The specs of a ginkgo JUnit report (the suite's setup nodes included: they fail like specs). */
export function parseJunit(xml: string): SpecResult[] {
  const specs: SpecResult[] = [];
  for (const m of xml.matchAll(/<testcase\s[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const open = m[0].slice(0, m[0].indexOf('>') + 1);
    const body = m[1] ?? '';
    const failure = body.match(/<(failure|error)\s[^>]*>/);
    const skipped = body.match(/<skipped[^>]*>/);
    const interrupted = failure && attr(failure[0], 'type') === 'interrupted';
    const status = interrupted ? 'interrupted' : failure ? 'failed' : skipped ? 'skipped' : 'passed';
    const message = failure ? attr(failure[0], 'message') : skipped ? attr(skipped[0], 'message') : undefined;
    specs.push({
      name: attr(open, 'name') ?? '?',
      status,
      seconds: Number(attr(open, 'time') ?? 0),
      ...(message ? { message } : {}),
    });
  }
  return specs;
}

/** Every run saved under dir (<version>/<slice>/run.json + junit-*.xml). */
export function readRuns(dir: string): SavedRun[] {
  const runs: SavedRun[] = [];
  if (!fs.existsSync(dir)) return runs;
  for (const version of fs.readdirSync(dir).sort())
    for (const slice of fs.readdirSync(path.join(dir, version)).sort()) {
      const runDir = path.join(dir, version, slice);
      const infoFile = path.join(runDir, 'run.json');
      if (!fs.existsSync(infoFile)) continue;
      const specs = fs
        .readdirSync(runDir)
        .filter((f) => /^junit-.*\.xml$/.test(f))
        .flatMap((f) => parseJunit(fs.readFileSync(path.join(runDir, f), 'utf8')));
      runs.push({ info: JSON.parse(fs.readFileSync(infoFile, 'utf8')) as RunInfo, specs });
    }
  return runs;
}

export interface RunGroup {
  version: string;
  zkeCommit: string;
  runs: SavedRun[];
  /** By spec name: the result of the latest run that ran it. */
  specs: SpecResult[];
}

const byStart = (a: SavedRun, b: SavedRun) => a.info.startedAt.localeCompare(b.info.startedAt);

/** Runs grouped by Kubernetes version and zke commit, newest version first; each group's specs merged. */
export function groupRuns(runs: SavedRun[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of [...runs].sort(byStart)) {
    const key = `${run.info.version} ${run.info.zkeCommit}`;
    const group = groups.get(key) ?? {
      version: run.info.version,
      zkeCommit: run.info.zkeCommit,
      runs: [],
      specs: [],
    };
    group.runs.push(run);
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    const merged = new Map<string, SpecResult>();
    for (const run of g.runs) for (const s of run.specs) merged.set(s.name, s);
    g.specs = [...merged.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
  const newestStart = (g: RunGroup) => g.runs[g.runs.length - 1].info.startedAt;
  return [...groups.values()].sort(
    (a, b) =>
      b.version.localeCompare(a.version, undefined, { numeric: true }) ||
      newestStart(b).localeCompare(newestStart(a)),
  );
}

const count = (specs: SpecResult[], status: SpecResult['status']) =>
  specs.filter((s) => s.status === status).length;
const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function renderGroup(g: RunGroup): string[] {
  const isConformance = (s: SpecResult) => s.name.includes('[Conformance]');
  const specs = g.specs.filter(isConformance);
  const setupFailures = g.specs.filter((s) => !isConformance(s) && s.status === 'failed');
  const lines = [
    `## Kubernetes ${g.version}, zke ${g.zkeCommit}`,
    '',
    `**${specs.length} [Conformance] specs run: ${count(specs, 'passed')} passed, ${count(specs, 'failed')} failed, ` +
      `${count(specs, 'skipped')} skipped, ${count(specs, 'interrupted')} interrupted by the part's timeout.**`,
    '',
    '| slice | focus | skip | passed | failed | skipped | provision | wall time per part | started (UTC) | machine |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { info, specs: runSpecs } of g.runs) {
    const own = runSpecs.filter(isConformance);
    const parts = info.parts.map(
      (p) => `${p.name} ${minutes(p.seconds)}${p.exitCode ? ` (exit ${p.exitCode})` : ''}`,
    );
    lines.push(
      `| ${info.slice} | \`${cell(info.focus.join(' or ') || '(all)')}\` | \`${cell(info.skip.join(' or ') || '-')}\` ` +
        `| ${count(own, 'passed')} | ${count(own, 'failed')} | ${count(own, 'skipped')} | ${minutes(info.provisionSeconds)} ` +
        `| ${parts.join(', ')} | ${info.startedAt.replace('T', ' ').slice(0, 16)} | ${cell(info.machine)} |`,
    );
  }
  const failed = [...specs.filter((s) => s.status === 'failed'), ...setupFailures];
  lines.push('', `### Failed (${failed.length})`, '');
  if (!failed.length) lines.push('None.');
  for (const s of failed)
    lines.push(`- **${s.name}**`, '', '  ```', ...quote(s.message ?? '(no message)'), '  ```', '');
  const interrupted = specs.filter((s) => s.status === 'interrupted');
  if (interrupted.length) {
    lines.push('', `### Interrupted by the part's timeout (${interrupted.length}: not a result)`, '');
    for (const s of interrupted) lines.push(`- ${s.name}`);
  }
  const skipped = specs.filter((s) => s.status === 'skipped');
  if (skipped.length) {
    lines.push('', `### Skipped by the suite (${skipped.length})`, '');
    for (const s of skipped) lines.push(`- ${s.name}: ${cell(s.message ?? '')}`);
  }
  const latest = g.runs[g.runs.length - 1].info;
  lines.push('', '### The cluster (spec of the latest run)', '', '```yaml', latest.spec.trimEnd(), '```', '');
  return lines;
}

/** The failure message, indented for the list; long ones cut to their first lines. */
function quote(message: string): string[] {
  const lines = message.trim().split('\n');
  const kept = lines.length > 30 ? [...lines.slice(0, 30), `… (${lines.length - 30} more lines)`] : lines;
  return kept.map((l) => `  ${l}`);
}

export const BEGIN = '<!-- BEGIN generated by scripts/conformanceReport.ts: do not edit by hand -->';
export const END = '<!-- END generated -->';

/** The generated part of docs/conformance.md. */
export function renderResults(runs: SavedRun[]): string {
  const groups = groupRuns(runs);
  const body = groups.length ? groups.flatMap(renderGroup) : ['No run saved yet.', ''];
  return [BEGIN, '', ...body, END].join('\n');
}

/** Replaces the generated part of the page (or appends it), keeping the hand-written text around it. */
export function updatePage(page: string, generated: string): string {
  const start = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (start < 0 || end < start) return `${page.trimEnd()}\n\n${generated}\n`;
  return page.slice(0, start) + generated + page.slice(end + END.length);
}

/** Regenerates the page from the saved results. */
export function writeReport(resultsDir: string, page: string): void {
  const old = fs.existsSync(page) ? fs.readFileSync(page, 'utf8') : '# Kubernetes conformance\n';
  fs.writeFileSync(page, updatePage(old, renderResults(readRuns(resultsDir))));
}

if (process.argv[1] === import.meta.filename) {
  const root = path.join(import.meta.dirname, '..');
  writeReport(path.join(root, 'conformance/results'), path.join(root, 'docs/conformance.md'));
}
