// Checks of the benchmark's own arithmetic (no lab, no server): the critical-path split that decides the
// reported orchestration overhead, the aggregation of fan-out ratios, the flags, and the report's wording
// where it depends on how much was measured (one size, one run).
// Run: node --import tsx --test bench/analysis.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs } from './args.ts';
import { criticalWorkMs, splitWindow } from './criticalPath.ts';
import type { FanOutSample } from './fanout/scenario.ts';
import type { ActivityRun } from './history.ts';
import { failedRuns, fanOutRows, scaleRows } from './report/aggregate.ts';
import { historyGrowthText } from './report/engineSection.ts';
import { plural, runsClause } from './report/format.ts';
import { targetRows } from './report/targets.ts';
import type { Saved } from './results.ts';
import type { ProvisionRun } from './scale/provision.ts';
import type { ScaleResults } from './scale/scenario.ts';

const run = (startedAt: number, closedAt: number): ActivityRun => ({
  type: 'x',
  scheduledAt: startedAt,
  startedAt,
  closedAt,
  attempt: 1,
  ok: true,
});

test('parallel activities count once: the slowest one is the critical path', () => {
  assert.equal(criticalWorkMs([run(0, 100), run(5, 300), run(10, 200)]), 295);
});

test('activities that follow one another add up', () => {
  assert.equal(criticalWorkMs([run(0, 100), run(150, 250), run(260, 400)]), 340);
});

test('the longest chain wins over a single long activity', () => {
  // 0-100 then 120-220 (200 in all) vs 0-180 alone
  assert.equal(criticalWorkMs([run(0, 100), run(120, 220), run(0, 180)]), 200);
});

test('a window counts the runs that start inside it; the rest of its time is overhead', () => {
  const split = splitWindow([run(0, 100), run(150, 250), run(1000, 1100)], 0, 300);
  assert.deepEqual(split, { wallMs: 300, workMs: 200, overheadMs: 100 });
});

test('fan-out ratios are taken within each run, then the median', () => {
  const s = (run: number, tool: FanOutSample['tool'], ms: number): FanOutSample => ({
    size: 3,
    run,
    tool,
    phase: 'fresh',
    ms,
  });
  const samples = [
    ...[s(0, 'zke', 10), s(0, 'ansible', 40), s(0, 'ssh', 20)],
    ...[s(1, 'zke', 30), s(1, 'ansible', 60), s(1, 'ssh', 30)],
    ...[s(2, 'zke', 20), s(2, 'ansible', 100), s(2, 'ssh', 40)],
  ];
  const fresh = fanOutRows({
    sizes: [3],
    runs: [3],
    filesPerHost: { controlplane: 1, worker: 1 },
    bytesPerHostAvg: 1,
    samples,
  }).find((r) => r.phase === 'fresh')!;
  assert.equal(fresh.ms.zke, 20);
  assert.equal(fresh.ms.ansible, 60);
  assert.equal(fresh.zkeVsAnsible, 0.25); // ratios 0.25, 0.5, 0.2
  assert.equal(fresh.zkeVsSsh, 0.5); // ratios 0.5, 1, 0.5
});

test('flags pick scenarios and sizes; unknown ones are refused', () => {
  const args = parseArgs(['--only', 'fanout,pki', '--sizes', '3,10', '--runs', '2']);
  assert.deepEqual(args.only, ['fanout', 'pki']);
  assert.deepEqual(args.fanoutSizes, [3, 10]);
  assert.deepEqual(args.scaleSizes, [3, 10]);
  assert.equal(args.runs, 2);
  assert.throws(() => parseArgs(['--only', 'nope']), /unknown scenario/);
  assert.throws(() => parseArgs(['--sizes', '3,x']), /host counts/);
});

test('history growth needs two sizes: one size gives a bound, never 0 per host or Infinity hosts', () => {
  const text = historyGrowthText([{ size: 3, events: 162, historyBytes: 49_150 }]);
  assert.match(text, /needs provisions of at least two sizes/);
  assert.doesNotMatch(text, /Infinity|NaN|about 0\.0 events/);
  // 54 events per host at most: the 10,240-event warning not before 10240 / 54 = 189 hosts
  assert.match(text, /54\.0 events/);
  assert.match(text, /near 189 hosts \(events\)/);
});

test('history growth from two or more sizes is the slope between them', () => {
  const two = historyGrowthText([
    { size: 3, events: 160, historyBytes: 48 * 1024 },
    { size: 10, events: 300, historyBytes: 90 * 1024 },
  ]);
  assert.match(two, /between 3 and 10 hosts\): about 20\.0 events and 6\.0 KiB/);
  // (10240 - 300) / 20 + 10 = 507
  assert.match(two, /event warning would come near 507 hosts/);
  const flat = historyGrowthText([
    { size: 3, events: 160, historyBytes: 1000 },
    { size: 10, events: 160, historyBytes: 1000 },
    { size: 25, events: 160, historyBytes: 1000 },
  ]);
  assert.match(flat, /least-squares line through the 3 sizes/);
  assert.doesNotMatch(flat, /Infinity|NaN|-\d+ hosts/);
  assert.match(flat, /not approached/);
});

test('run counts read as English: one run is no median', () => {
  assert.equal(plural(1, 'run'), '1 run');
  assert.equal(plural(3, 'run'), '3 runs');
  assert.equal(runsClause([3], [1]), 'from a single run (no medians)');
  assert.equal(runsClause([3, 10], [1, 1]), 'from a single run per size (no medians)');
  assert.equal(runsClause([3, 10, 25], [3, 3, 1]), 'medians of 3 runs (a single run at 25 hosts)');
  assert.equal(runsClause([3, 10], [2, 2]), 'medians of 2 runs');
});

test('a failed provision is left out of the medians and targets, and listed with where it gave up', () => {
  const provision = (size: number, wallMs: number, outcome: string): ProvisionRun => ({
    size,
    run: 0,
    outcome,
    missingImages: [],
    wall: { wallMs, workMs: wallMs - 1000, overheadMs: 1000 },
    steps: [{ step: 'network plugin', wallMs: wallMs / 2, workMs: 0, overheadMs: wallMs / 2 }],
    history: { events: 100, bytes: 1000, payloadBytes: 100 },
    activities: 10,
    retries: 0,
  });
  const data: ScaleResults = {
    sizes: [3, 50],
    runs: [1, 1],
    provisions: [
      provision(3, 60_000, 'complete'),
      provision(50, 900_000, 'failed: timeout in network plugin'),
    ],
  };
  assert.deepEqual(
    scaleRows(data).map((r) => [r.size, r.wallMs]),
    [[3, 60_000]],
  );
  assert.deepEqual(
    failedRuns(data).map((p) => p.size),
    [50],
  );
  const machine = {} as Saved<ScaleResults>['machine'];
  const [overhead, growth] = targetRows({ machine, data }, undefined, undefined);
  assert.match(overhead![2], /met/);
  assert.match(growth![1], /did not finish \(timeout in network plugin/);
  assert.match(growth![2], /missed/);
});
