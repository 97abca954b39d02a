// The CI summary reporter (scripts/testDigest.mjs): each failure with its file and cause, the skipped tests
// grouped by reason, and the counts as the last line, also for a hook that a helper file registers; run as a
// script it merges two lanes' digests and, under ZKE_TEST_STRICT=1, fails on a skip.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(path.join(tmpdir(), 'zke-digest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const reporter = path.resolve('scripts/testDigest.mjs');

const FILES = {
  'helper.mjs': `import { after } from 'node:test';
export const useFailingAfter = () => after(() => { throw new Error('down exited 1'); });`,
  'a.test.mjs': `import { test } from 'node:test';
import { useFailingAfter } from './helper.mjs';
useFailingAfter();
test('passes', () => {});`,
  'b.test.mjs': `import { describe, test } from 'node:test';
test('fails', () => { throw new Error('boom'); });
test('fails deep', () => {
  const activity = new Error('Activity task failed', { cause: new Error('zlab1: SSH refused') });
  throw new Error('Workflow execution failed', { cause: activity });
});
test('skipped', { skip: true }, () => {});
test('skipped for a reason', { skip: 'no lab' }, () => {});
test('skips itself', (t) => { t.skip('no lab'); });
describe('a skipped suite', { skip: 'no browser' }, () => { test('one', () => {}); test('two', () => {}); });`,
  'c.test.mjs': `import { test } from 'node:test';
test('passes', () => {});
test('skipped', { skip: 'no lab' }, () => {});`,
};

/** node --test on the given files with the digest reporter, as a run of its own (not a subtest of this one). */
function digest(files: string[], destination?: string) {
  const args = ['--test', '--test-concurrency=1', `--test-reporter=${reporter}`];
  if (destination) args.push(`--test-reporter-destination=${destination}`);
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  return spawnSync(process.execPath, [...args, ...files], { cwd: dir, env, encoding: 'utf8' });
}

function merge(files: string[], strict: boolean) {
  const { NODE_TEST_CONTEXT: _nested, ZKE_TEST_STRICT: _strict, ...env } = process.env;
  if (strict) env.ZKE_TEST_STRICT = '1';
  return spawnSync(process.execPath, [reporter, ...files], { cwd: dir, env, encoding: 'utf8' });
}

for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);

test('lists each failure under its test file, a helper hook too, and ends with the counts', () => {
  const run = digest(['a.test.mjs', 'b.test.mjs']);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.at(-1), '1 passed, 3 failed, 4 skipped');
  assert.match(run.stdout, /✗ a\.test\.mjs \(in helper\.mjs\) › .*\n {4}down exited 1\n/);
  assert.match(run.stdout, /✗ b\.test\.mjs › fails\n {4}boom\n/);
  // a workflow's failure says why: every cause under it, in order
  assert.match(
    run.stdout,
    /✗ b\.test\.mjs › fails deep\n {4}Workflow execution failed\n {6}← Activity task failed\n {6}← zlab1: SSH refused\n/,
  );
});

test('counts every skipped test and groups them by reason; a skipped describe is said to count as one', () => {
  const run = digest(['b.test.mjs']);
  assert.equal(
    run.stdout.slice(run.stdout.indexOf('skipped, by reason:')),
    [
      'skipped, by reason:',
      '  1 × skipped, no reason given',
      '  2 × no lab',
      '  1 × no browser (a whole describe, counted as one: node does not report its tests)',
      '0 passed, 2 failed, 4 skipped',
      '',
    ].join('\n'),
  );
});

test('merges two lanes: failures kept, reasons and counts added up, the counts last', () => {
  assert.equal(digest(['b.test.mjs'], 'b.digest').status, 1);
  assert.equal(digest(['c.test.mjs'], 'c.digest').status, 0);
  const run = merge(['b.digest', 'c.digest'], false);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /✗ b\.test\.mjs › fails\n {4}boom\n/);
  assert.match(
    run.stdout,
    / {4}Workflow execution failed\n {6}← Activity task failed\n {6}← zlab1: SSH refused\n/,
  );
  assert.match(run.stdout, /\n {2}3 × no lab\n/);
  assert.equal(run.stdout.trim().split('\n').at(-1), '1 passed, 2 failed, 5 skipped');
});

test('ZKE_TEST_STRICT=1: a skip fails the merged run, saying so above the counts; no skip passes', () => {
  assert.equal(digest(['c.test.mjs'], 'c.digest').status, 0);
  const strict = merge(['c.digest'], true);
  assert.equal(strict.status, 1);
  assert.deepEqual(strict.stdout.trim().split('\n').slice(-3), [
    '  1 × no lab',
    'ZKE_TEST_STRICT=1: any skipped test fails the run',
    '1 passed, 0 failed, 1 skipped',
  ]);
  assert.equal(digest(['a.test.mjs'], 'a.digest').status, 1);
  const clean = merge(['a.digest'], true);
  assert.equal(clean.status, 0, clean.stdout);
  assert.equal(clean.stdout.trim().split('\n').at(-1), '1 passed, 1 failed, 0 skipped');
});

test('no describe in the project skips as a whole (node would report it as one test and hide the rest)', () => {
  const wholeSkip = /\bdescribe\(\s*(['"`]).*?\1,\s*\{[^}]*\bskip\b/s;
  const files = ['test', 'bench'].flatMap(
    (root) =>
      readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => path.join(root, f))
        .filter((f) => f !== 'test/unit/test-digest.test.ts'), // its fixture skips a describe on purpose
  );
  assert.ok(files.length > 50, `${files.length} files read`);
  assert.deepEqual(
    files.filter((f) => wholeSkip.test(readFileSync(f, 'utf8'))),
    [],
    'declare such tests through skipping() from test/support/skipping.ts',
  );
});
