// A node --test reporter that prints, at the end, each failure with its cause (hooks included),
// then "N passed, N failed": the lines a CI log that only keeps its tail still shows.
// Plain JavaScript: node loads reporters before any --import loader.
import path from 'node:path';

const MAX_CAUSE_CHARS = 1500;

function causeOf(error) {
  const inner = error?.cause ?? error;
  const text = inner instanceof Error ? inner.message : String(inner);
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
}

// a cancelled subtest or a suite whose subtests failed adds nothing to the failures listed
const isEcho = (error) => ['cancelledByParent', 'subtestsFailed'].includes(error?.failureType);

const isTestFile = (file) => /\.test\.[cm]?[jt]s$/.test(file ?? '');
const relative = (file) => path.relative(process.cwd(), file);
const placeOf = (file, testFile) =>
  isTestFile(file) || !testFile ? relative(file) : `${relative(testFile)} (in ${relative(file)})`;

export default async function* testDigest(source) {
  const failures = [];
  let passed = 0;
  let failed = 0;
  let testFile; // the test file running: a failing hook registered by a helper file is named after it
  for await (const { type, data } of source) {
    if (isTestFile(data?.file)) testFile = data.file;
    if (type === 'test:pass' && data.details.type !== 'suite' && !data.skip && !data.todo) passed++;
    if (type !== 'test:fail') continue;
    if (data.details.type !== 'suite') failed++;
    if (isEcho(data.details.error)) continue;
    const where = data.file ? `${placeOf(data.file, testFile)} › ` : '';
    failures.push(`✗ ${where}${data.name}\n    ${causeOf(data.details.error).replaceAll('\n', '\n    ')}`);
  }
  if (failures.length > 0) yield `\nfailures (cancelled subtests left out):\n${failures.join('\n')}\n`;
  yield `${passed} passed, ${failed} failed\n`;
}
