// Progress rendering of `zke up` and friends: plain lines off a terminal, redrawn bars on one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bar, newEvents, ProgressView } from '../../cli/progress.ts';
import type { OperationStatus } from '../../workflows/types.ts';

function status(overrides: Partial<OperationStatus>): OperationStatus {
  return {
    cluster: 'demo',
    operation: 'provision',
    phase: 'running',
    step: 'check hosts',
    stepsDone: [],
    stepsTotal: 4,
    hosts: {},
    events: [],
    ...overrides,
  };
}

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { out: { isTTY, columns: 120, write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
}

test('newEvents finds what was appended to a bounded window of events', () => {
  assert.deepEqual(newEvents([], ['a', 'b']), ['a', 'b']);
  assert.deepEqual(newEvents(['a', 'b'], ['a', 'b', 'c']), ['c']);
  assert.deepEqual(newEvents(['a', 'b', 'c'], ['b', 'c', 'd', 'e']), ['d', 'e'], 'the window slid');
  assert.deepEqual(newEvents(['a', 'b'], ['a', 'b']), []);
  assert.deepEqual(newEvents(['x'], ['y']), ['y'], 'no overlap: all is new');
});

test('bar fills in proportion and stays within its width', () => {
  assert.equal(bar(0, 4, 8), '[--------]');
  assert.equal(bar(2, 4, 8), '[####----]');
  assert.equal(bar(9, 4, 8), '[########]');
  assert.equal(bar(1, 0, 4), '[----]');
});

test('off a terminal: one line per new event and per host change, nothing repeated', () => {
  const { out, text } = capture(false);
  const view = new ProgressView(out);
  view.update(
    status({ events: ['check hosts: started'], hosts: { n1: { state: 'running', step: 'check hosts' } } }),
  );
  view.update(
    status({ events: ['check hosts: started'], hosts: { n1: { state: 'running', step: 'check hosts' } } }),
  );
  view.update(
    status({
      step: 'certificates',
      stepsDone: ['check hosts'],
      events: ['check hosts: started', 'check hosts: done'],
      hosts: {
        n1: { state: 'done', step: 'check hosts' },
        n2: { state: 'failed', step: 'check hosts', error: 'ECONNREFUSED' },
      },
    }),
  );
  assert.deepEqual(text().trimEnd().split('\n'), [
    '[0/4] check hosts: started',
    '[0/4] host n1: running (check hosts)',
    '[1/4] check hosts: done',
    '[1/4] host n1: done (check hosts)',
    '[1/4] host n2: failed (check hosts): ECONNREFUSED',
  ]);
  assert.ok(!text().includes('\x1b['), 'no escape codes off a terminal');
});

test('off a terminal: events of several steps in one poll each carry the count of steps done when logged', () => {
  const { out, text } = capture(false);
  const view = new ProgressView(out);
  view.update(status({ events: ['etcd snapshot: started'], stepsTotal: 13 }));
  view.update(
    status({
      step: 'check hosts',
      stepsDone: ['etcd snapshot', 'plan changes'],
      stepsTotal: 12,
      events: [
        'etcd snapshot: started',
        'n1: snapshot taken',
        'etcd snapshot: done',
        'plan changes: started',
        'plan changes: done',
        'check hosts: started',
      ],
    }),
  );
  assert.deepEqual(text().trimEnd().split('\n'), [
    '[0/13] etcd snapshot: started',
    '[0/12] n1: snapshot taken',
    '[1/12] etcd snapshot: done',
    '[1/12] plan changes: started',
    '[2/12] plan changes: done',
    '[2/12] check hosts: started',
  ]);
});

test('on a terminal: a step bar and a bar per host, redrawn in place, events scrolling above', () => {
  const { out, text } = capture(true);
  const view = new ProgressView(out);
  view.update(
    status({ events: ['check hosts: started'], hosts: { n1: { state: 'running', step: 'check hosts' } } }),
  );
  const first = text();
  assert.match(first, /provision demo \[-+\] 0\/4 check hosts/);
  assert.match(first, /> n1 +\[-+\] running +check hosts/);
  view.update(
    status({
      step: 'etcd plane',
      stepsDone: ['check hosts', 'certificates'],
      events: ['check hosts: started', 'certificates: done'],
      hosts: { n1: { state: 'done', step: 'certificates' } },
    }),
  );
  const second = text().slice(first.length);
  assert.ok(
    second.startsWith('\x1b[2F\x1b[J  certificates: done\n'),
    'moves up over the 2-line frame, clears it, prints the new event',
  );
  assert.match(second, /provision demo \[#{12}-{12}\] 2\/4 etcd plane/);
  assert.match(second, /✓ n1 +\[#{6}-{6}\] done/);
});
