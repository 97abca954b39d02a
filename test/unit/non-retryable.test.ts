// The permanent failure types live in one place (common/nonRetryable.ts): every workflow activity option set
// refuses to retry exactly those, and no other source spells one of their names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NON_RETRYABLE_TYPES } from '../../common/nonRetryable.ts';
import * as options from '../../workflows/options.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const HOME = 'common/nonRetryable.ts';

test('every activity option set refuses to retry exactly the permanent failure types', () => {
  const sets = Object.entries(options);
  assert.ok(sets.length >= 4);
  for (const [name, set] of sets)
    assert.deepEqual(set.retry?.nonRetryableErrorTypes, [...NON_RETRYABLE_TYPES], name);
});

test('no other source under activities/, workflows/ or common/ spells a permanent failure type', () => {
  const files = ['activities', 'workflows', 'common'].flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f))
      .filter((f) => f !== HOME),
  );
  const spelled = files.flatMap((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return NON_RETRYABLE_TYPES.filter((type) => text.includes(`'${type}'`)).map((type) => `${file}: ${type}`);
  });
  assert.deepEqual(spelled, []);
});
