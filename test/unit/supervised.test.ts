// npm start's supervision: a child that keeps dying is restarted with growing delays, until it is kept down.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { restartDelayMs, Supervised } from '../../scripts/supervised.ts';

test('restart delays double from 1 s up to 30 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map(restartDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test(
  'a child that dies is restarted with backoff, saying why; keepDown ends it',
  { timeout: 20_000 },
  async () => {
    const said: string[] = [];
    let launches = 0;
    const child = new Supervised(
      'dier',
      async () => {
        launches++;
        return spawn(process.execPath, ['-e', 'process.exit(3)']);
      },
      '/tmp/dier.log',
      (line) => said.push(line),
    );
    await child.start();
    while (launches < 3) await new Promise((r) => setTimeout(r, 100));
    child.keepDown();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(launches, 3, 'no restart once kept down');
    const exits = said.filter((l) => l.includes('exited'));
    assert.deepEqual(exits.slice(0, 2), [
      'dier exited (code 3); restarting in 1 s (log: /tmp/dier.log)',
      'dier exited (code 3); restarting in 2 s (log: /tmp/dier.log)',
    ]);
  },
);

test('stopped while a restart is starting its child: that child is stopped too, not left running', async () => {
  let release: () => void = () => {};
  const slowStart = new Promise<void>((resolve) => {
    release = resolve;
  });
  let launched: ReturnType<typeof spawn> | undefined;
  let launches = 0;
  const child = new Supervised(
    'slow',
    async () => {
      launches++;
      const proc = spawn(process.execPath, [
        '-e',
        launches === 1 ? 'process.exit(3)' : 'setInterval(() => {}, 1000)',
      ]);
      if (launches === 1) return proc;
      launched = proc;
      await slowStart; // like the Temporal server: running, not yet answering
      return proc;
    },
    '/tmp/slow.log',
    () => {},
  );
  await child.start();
  while (!launched) await new Promise((r) => setTimeout(r, 50)); // the restart after 1 s has spawned
  const stopping = child.stop();
  release();
  await stopping;
  assert.notEqual(launched.exitCode ?? launched.signalCode, null, 'the restarted child still runs');
});
