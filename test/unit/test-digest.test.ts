// The CI summary reporter (scripts/testDigest.mjs): each failure with its file and cause, and the counts
// as the last line, also for a hook that a helper file registers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(path.join(tmpdir(), 'zke-digest-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FILES = {
  'helper.mjs': `import { after } from 'node:test';
export const useFailingAfter = () => after(() => { throw new Error('down exited 1'); });`,
  'a.test.mjs': `import { test } from 'node:test';
import { useFailingAfter } from './helper.mjs';
useFailingAfter();
test('passes', () => {});`,
  'b.test.mjs': `import { test } from 'node:test';
test('fails', () => { throw new Error('boom'); });
test('skipped', { skip: true }, () => {});`,
};

test('lists each failure under its test file, a helper hook too, and ends with the counts', () => {
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
  const reporter = path.resolve('scripts/testDigest.mjs');
  const args = ['--test', '--test-concurrency=1', `--test-reporter=${reporter}`, 'a.test.mjs', 'b.test.mjs'];
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env; // a run of its own, not a subtest of this one
  const run = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.at(-1), '1 passed, 2 failed');
  assert.match(run.stdout, /✗ a\.test\.mjs \(in helper\.mjs\) › .*\n {4}down exited 1\n/);
  assert.match(run.stdout, /✗ b\.test\.mjs › fails\n {4}boom\n/);
});
