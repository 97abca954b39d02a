// withHeartbeat (activities/context.ts) inside a real activity context: it heartbeats the latest progress note,
// and a cancelled activity returns at once even when the work it waits on never settles (a hung wait must not
// keep the attempt and its worker alive until the step's start-to-close timeout).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { withHeartbeat } from '../../activities/context.ts';

test('withHeartbeat sends each progress note as heartbeat details and returns what the work returns', async () => {
  const env = new MockActivityEnvironment();
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const result = await env.run(() =>
    withHeartbeat(async (note) => {
      note('pulling image');
      note('starting container');
      return 'done';
    }),
  );
  assert.equal(result, 'done');
  assert.deepEqual(beats, ['started', 'pulling image', 'starting container']);
});

test('a cancelled activity leaves a wait that never settles: withHeartbeat rejects with the cancellation', async () => {
  const env = new MockActivityEnvironment();
  let beats = 0;
  env.on('heartbeat', () => {
    beats += 1;
    if (beats === 3) env.cancel('CANCELLED');
  });
  const hung = env.run(() => withHeartbeat(() => new Promise<never>(() => {}), 10));
  await assert.rejects(hung, (err: unknown) => err instanceof CancelledFailure);
  const after = beats;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(beats, after, 'no heartbeat after the attempt ended');
});
