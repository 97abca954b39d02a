// Large YAML request bodies are read on a worker thread: same outcomes as on the main thread, which keeps
// running meanwhile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readYaml } from '../../api/http/yamlRead.ts';
import { yamlInThread } from '../../api/http/yamlThread.ts';

function largeSpec(nodes: number): string {
  const list = Array.from(
    { length: nodes },
    (_, i) => `  - address: 10.1.${i >> 8}.${i & 255}\n    roles: [worker]\n    labels: {rack: r${i % 40}}\n`,
  );
  return `cluster_name: large\nnodes:\n${list.join('')}`;
}

test('the thread reads values, invalid YAML (with its line) and too deep nesting as the main thread does', async () => {
  const cases = [
    largeSpec(1000),
    `${largeSpec(800)}cluster_name: again\n`,
    `x: ${'['.repeat(40)}${']'.repeat(40)}\n`,
  ];
  const outcomes = await Promise.all(cases.map((text) => yamlInThread(text)));
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['value', 'invalid', 'too-deep'],
  );
  for (const [i, text] of cases.entries()) assert.deepEqual(outcomes[i], readYaml(text));
  const invalid = outcomes[1]!;
  assert.ok(invalid.kind === 'invalid');
  assert.match(JSON.stringify(invalid.errors), /yaml line 2403, .*unique.*cluster_name/);
});

test('the main thread keeps running while the thread reads', async () => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  try {
    const outcome = await yamlInThread(largeSpec(2000));
    assert.equal(outcome.kind, 'value');
    assert.ok(ticks > 0, 'timers fired while the body was read');
  } finally {
    clearInterval(ticker);
  }
});
