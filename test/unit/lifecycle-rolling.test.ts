// Rolling bounds: max_unavailable as a count or percentage, and the window that never has more hosts
// unavailable (in flight or failed) than allowed and stops once that many failed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxUnavailable } from '../../model/plan/bounds.ts';
import { rollingWindow } from '../../workflows/window.ts';

test('max_unavailable: counts, percentages rounded down, at least 1', () => {
  assert.equal(maxUnavailable('2', 10), 2);
  assert.equal(maxUnavailable('10%', 3), 1);
  assert.equal(maxUnavailable('50%', 5), 2);
  assert.equal(maxUnavailable('100%', 4), 4);
  assert.equal(maxUnavailable('0', 4), 1);
  assert.equal(maxUnavailable('1%', 0), 1);
});

function tracker() {
  let unavailable = 0;
  let peak = 0;
  const started: string[] = [];
  return {
    started,
    peak: () => peak,
    run: (failing: string[]) => async (host: string) => {
      started.push(host);
      unavailable++;
      peak = Math.max(peak, unavailable);
      await new Promise((r) => setTimeout(r, 3 + (host.charCodeAt(host.length - 1) % 4)));
      if (failing.includes(host)) throw new Error(`${host} broke`); // stays unavailable
      unavailable--;
    },
  };
}

test('the window keeps at most `limit` hosts unavailable and finishes every host when none fails', async () => {
  const t = tracker();
  const hosts = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7'];
  const outcome = await rollingWindow(hosts, 2, t.run([]));
  assert.equal(t.peak(), 2);
  assert.deepEqual([...outcome.done].sort(), hosts);
  assert.deepEqual(outcome.failed, []);
  assert.deepEqual(outcome.notStarted, []);
});

test('a failed host keeps its slot: with limit 1 the first failure stops the roll', async () => {
  const t = tracker();
  const outcome = await rollingWindow(['w1', 'w2', 'w3', 'w4'], 1, t.run(['w2']));
  assert.deepEqual(t.started, ['w1', 'w2']);
  assert.deepEqual(outcome.done, ['w1']);
  assert.deepEqual(
    outcome.failed.map((f) => [f.host, f.error.message]),
    [['w2', 'w2 broke']],
  );
  assert.deepEqual(outcome.notStarted, ['w3', 'w4']);
});

test('with limit 2 one failure narrows the window to one host; a second failure stops it', async () => {
  const t = tracker();
  const outcome = await rollingWindow(['w1', 'w2', 'w3', 'w4', 'w5', 'w6'], 2, t.run(['w1', 'w4']));
  assert.ok(t.peak() <= 2, `peak ${t.peak()} unavailable`);
  assert.deepEqual(outcome.failed.map((f) => f.host).sort(), ['w1', 'w4']);
  assert.ok(outcome.notStarted.length > 0, 'hosts after the second failure are not started');
  assert.deepEqual([...outcome.done, ...outcome.failed.map((f) => f.host), ...outcome.notStarted].sort(), [
    'w1',
    'w2',
    'w3',
    'w4',
    'w5',
    'w6',
  ]);
});
