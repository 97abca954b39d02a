// A node --test reporter that prints, at the end, each failure with its cause (hooks included), the skipped
// tests grouped by reason, then "N passed, N failed, N skipped": the lines a CI log that only keeps its tail
// still shows. Skips count per test; node never reports the tests of a skipped describe, so such a suite
// counts as one and its reason says so (the project's suites skip test by test: test/support/skipping.ts).
// Run as a script, `node scripts/testDigest.mjs FILE...` merges the digests of several runs (scripts/test.sh's
// lanes) into one; with ZKE_TEST_STRICT=1 it exits 1 when any test was skipped.
// Plain JavaScript: node loads reporters before any --import loader.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MAX_CAUSE_CHARS = 1500;

// the test's error and every cause under it (a WorkflowFailedError says only "Workflow execution failed": the
// activity failure and its own cause say why), each message once
function causeOf(error) {
  const messages = [];
  for (let inner = error?.cause ?? error, depth = 0; inner !== undefined && depth < 8; depth++) {
    const text = inner instanceof Error ? inner.message : String(inner);
    if (!messages.includes(text)) messages.push(text);
    inner = inner instanceof Error ? inner.cause : undefined;
  }
  const text = messages.join('\n  ← ');
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
}

// a cancelled subtest or a suite whose subtests failed adds nothing to the failures listed
const isEcho = (error) => ['cancelledByParent', 'subtestsFailed'].includes(error?.failureType);

const isTestFile = (file) => /\.test\.[cm]?[jt]s$/.test(file ?? '');
const relative = (file) => path.relative(process.cwd(), file);
const placeOf = (file, testFile) =>
  isTestFile(file) || !testFile ? relative(file) : `${relative(testFile)} (in ${relative(file)})`;

/** Why a passed event is a skip (or a todo), or undefined when the test ran. */
function skipReason(data) {
  const reason = (value, kind) => (typeof value === 'string' ? value : `${kind}, no reason given`);
  const why = data.skip
    ? reason(data.skip, 'skipped')
    : data.todo
      ? `todo: ${reason(data.todo, 'todo')}`
      : undefined;
  if (why === undefined || data.details.type !== 'suite') return why;
  return `${why} (a whole describe, counted as one: node does not report its tests)`;
}

export default async function* testDigest(source) {
  const failures = [];
  const skips = new Map(); // reason -> count
  let passed = 0;
  let failed = 0;
  let testFile; // the test file running: a failing hook registered by a helper file is named after it
  for await (const { type, data } of source) {
    if (isTestFile(data?.file)) testFile = data.file;
    if (type === 'test:pass') {
      const why = skipReason(data);
      if (why !== undefined) skips.set(why, (skips.get(why) ?? 0) + 1);
      else if (data.details.type !== 'suite') passed++;
    }
    if (type !== 'test:fail') continue;
    if (data.details.type !== 'suite') failed++;
    if (isEcho(data.details.error)) continue;
    const where = data.file ? `${placeOf(data.file, testFile)} › ` : '';
    failures.push(`✗ ${where}${data.name}\n    ${causeOf(data.details.error).replaceAll('\n', '\n    ')}`);
  }
  if (failures.length > 0) yield `\nfailures (cancelled subtests left out):\n${failures.join('\n')}\n`;
  yield summary({ passed, failed, skips });
}

const COUNTS = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
const SKIP_HEADING = 'skipped, by reason:';
const SKIP_LINE = /^ {2}(\d+) × (.*)$/;

function summary({ passed, failed, skips }) {
  const skipped = [...skips.values()].reduce((sum, n) => sum + n, 0);
  const reasons = [...skips].map(([why, n]) => `  ${n} × ${why}\n`).join('');
  return `${skipped > 0 ? `\n${SKIP_HEADING}\n${reasons}` : ''}${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}

/** Several digests as one: their failures as they are, the skip reasons and the counts added up. */
export function mergeDigests(texts) {
  const total = { passed: 0, failed: 0, skips: new Map() };
  const rest = [];
  for (const text of texts) {
    let inSkips = false;
    for (const line of text.split('\n')) {
      const counts = COUNTS.exec(line);
      const skip = inSkips && SKIP_LINE.exec(line);
      if (counts) {
        total.passed += Number(counts[1]);
        total.failed += Number(counts[2]);
      } else if (skip) total.skips.set(skip[2], (total.skips.get(skip[2]) ?? 0) + Number(skip[1]));
      else if (line !== SKIP_HEADING) rest.push(line);
      inSkips = line === SKIP_HEADING || Boolean(skip);
    }
  }
  const body = rest
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text: `${body ? `\n${body}\n` : ''}${summary(total)}`, skipped: total.skips.size > 0 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const read = (file) =>
    fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${file}: no digest (the run died)`;
  const merged = mergeDigests(process.argv.slice(2).map(read));
  const failOnSkip = process.env.ZKE_TEST_STRICT === '1' && merged.skipped;
  const counts = merged.text.slice(merged.text.lastIndexOf('\n', merged.text.length - 2) + 1);
  const strictLine = failOnSkip ? 'ZKE_TEST_STRICT=1: any skipped test fails the run\n' : '';
  process.stdout.write(`${merged.text.slice(0, -counts.length)}${strictLine}${counts}`); // the counts stay last
  if (failOnSkip) process.exitCode = 1;
}
