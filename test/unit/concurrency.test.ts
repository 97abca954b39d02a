import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapBounded, rootMessage } from '../../workflows/concurrency.ts';

test('mapBounded never runs more than the limit at once and keeps every result in order', async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    if (n === 4) throw new Error('four failed');
    return n * 10;
  });
  assert.equal(peak, 3);
  assert.deepEqual(
    results.map((r) => (r.ok ? r.value : r.error.message)),
    [10, 20, 30, 'four failed', 50, 60, 70],
  );
});

test('rootMessage digs out the innermost cause', () => {
  const inner = new Error('zlab2: SSH authentication refused');
  const outer = new Error('Activity task failed', { cause: inner });
  assert.equal(rootMessage(outer), 'zlab2: SSH authentication refused');
});
