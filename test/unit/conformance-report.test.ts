// docs/conformance.md from saved ginkgo JUnit reports: parsing, merging slices, the page's generated part.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  BEGIN,
  END,
  groupRuns,
  parseJunit,
  type RunInfo,
  readRuns,
  renderResults,
  type SavedRun,
  updatePage,
} from '../../scripts/conformanceReport.ts';
import { compactJunit, flakesToRerun, KNOWN_FLAKES, withRerun } from '../support/conformance.ts';
import { tempDir } from '../support/tempDir.ts';

// the shape ginkgo v2's --junit-report writes
const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="4" disabled="3" errors="0" failures="1" time="120.5">
  <testsuite name="Kubernetes e2e suite" package="/tmp" tests="4" skipped="2" failures="1" errors="0" time="120.5">
    <testcase name="[sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]" classname="Kubernetes e2e suite" status="passed" time="10.25">
      <system-err>passed log</system-err>
    </testcase>
    <testcase name="[sig-network] DNS should provide DNS for services  [Conformance]" classname="Kubernetes e2e suite" status="failed" time="300">
      <failure message="timed out: &quot;dig&quot; found no A record &lt;none&gt;" type="failed">[FAILED] timed out
stack…</failure>
      <system-err>log</system-err>
    </testcase>
    <testcase name="[sig-apps] Job should run a job [Conformance]" classname="Kubernetes e2e suite" status="skipped" time="0.1">
      <skipped message="skipped - Only supported for providers [gce]"></skipped>
    </testcase>
    <testcase name="[sig-apps] CronJob should schedule [Conformance]" classname="Kubernetes e2e suite" status="interrupted" time="60">
      <error message="interrupted by timeout" type="interrupted">the suite's timeout</error>
    </testcase>
    <testcase name="[sig-storage] CSI something" classname="Kubernetes e2e suite" status="skipped" time="0">
      <skipped message="skipped"></skipped>
    </testcase>
  </testsuite>
</testsuites>`;

const info = (o: Partial<RunInfo>): RunInfo => ({
  version: 'v1.34.4',
  slice: 'sig-node',
  zkeCommit: 'abc1234',
  startedAt: '2026-12-05T01:00:00.000Z',
  focus: ['\\[sig-node\\]'],
  skip: [],
  nodes: 3,
  provisionSeconds: 150,
  parts: [{ name: 'parallel', seconds: 600, exitCode: 0 }],
  machine: '2 cores',
  spec: 'cluster_name: conformance\n',
  ...o,
});

test('a ginkgo JUnit report gives each spec its status, time and failure message (XML entities decoded)', () => {
  const specs = parseJunit(JUNIT);
  assert.deepEqual(
    specs.map((s) => [s.status, s.seconds]),
    [
      ['passed', 10.25],
      ['failed', 300],
      ['skipped', 0.1],
      ['interrupted', 60],
      ['skipped', 0],
    ],
  );
  assert.equal(specs[1].message, 'timed out: "dig" found no A record <none>');
  assert.equal(specs[2].message, 'skipped - Only supported for providers [gce]');
});

test('a saved report drops the specs the filters left out and the logs of passed specs; the rest stays', () => {
  const compact = compactJunit(JUNIT);
  assert.ok(!compact.includes('<system-err>passed log</system-err>'));
  assert.ok(compact.includes('<system-err>log</system-err>'), 'a failed spec keeps its log');
  const names = parseJunit(compact).map((s) => s.name);
  assert.equal(names.length, 4);
  assert.ok(!names.includes('[sig-storage] CSI something'));
  assert.ok(names.includes('[sig-apps] Job should run a job [Conformance]'));
});

test('slices of one version and zke commit merge (a spec run twice counts once, its latest result); other commits apart', () => {
  const dns = '[sig-network] DNS should provide DNS for services  [Conformance]';
  const first: SavedRun = { info: info({ slice: 'a' }), specs: parseJunit(JUNIT) };
  const rerun: SavedRun = {
    info: info({ slice: 'dns', startedAt: '2026-12-05T02:00:00.000Z' }),
    specs: [{ name: dns, status: 'passed', seconds: 20 }],
  };
  const other: SavedRun = {
    info: info({ zkeCommit: 'def5678' }),
    specs: [{ name: dns, status: 'failed', seconds: 1 }],
  };
  const older: SavedRun = { info: info({ version: 'v1.33.13' }), specs: [] };
  const groups = groupRuns([rerun, older, other, first]);
  assert.deepEqual(
    groups.map((g) => [g.version, g.zkeCommit, g.runs.length]),
    [
      ['v1.34.4', 'abc1234', 2],
      ['v1.34.4', 'def5678', 1],
      ['v1.33.13', 'abc1234', 1],
    ],
  );
  assert.equal(groups[0].specs.length, 5);
  assert.equal(groups[0].specs.find((s) => s.name === dns)?.status, 'passed');
});

test('the page shows the totals, every failed test with its error, the wall time of each part, machine and spec', () => {
  const page = renderResults([{ info: info({}), specs: parseJunit(JUNIT) }]);
  assert.match(
    page,
    /\*\*4 \[Conformance\] specs run: 1 passed, 1 failed, 1 skipped, 1 interrupted by the part's timeout\.\*\*/,
  );
  assert.match(
    page,
    /### Failed \(1\)\n\n- \*\*\[sig-network\] DNS should provide DNS for services {2}\[Conformance\]\*\*/,
  );
  assert.match(page, / {2}timed out: "dig" found no A record <none>/);
  assert.match(
    page,
    /\| sig-node \| `\\\[sig-node\\\]` \| `-` \| 1 \| 1 \| 1 \| 2\.5 min \| parallel 10\.0 min \| 2026-12-05 01:00 \| 2 cores \|/,
  );
  assert.match(page, /```yaml\ncluster_name: conformance\n```/);
});

test('regenerating the page replaces only its generated part', () => {
  const page = `# Kubernetes conformance\n\nHand-written.\n\n${BEGIN}\nold\n${END}\n\n## Lab limits\n\nKept.\n`;
  const next = updatePage(page, `${BEGIN}\nnew\n${END}`);
  assert.equal(
    next,
    `# Kubernetes conformance\n\nHand-written.\n\n${BEGIN}\nnew\n${END}\n\n## Lab limits\n\nKept.\n`,
  );
  assert.equal(updatePage('# T\n', `${BEGIN}\nx\n${END}`), `# T\n\n${BEGIN}\nx\n${END}\n`);
});

test('saved runs are read from <version>/<slice>/run.json and every junit-*.xml beside it', () => {
  const dir = tempDir('zke-conformance');
  const run = path.join(dir, 'v1.34.4', 'sig-node');
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(run, 'run.json'), JSON.stringify(info({})));
  fs.writeFileSync(path.join(run, 'junit-parallel.xml'), JUNIT);
  fs.writeFileSync(
    path.join(run, 'junit-serial.xml'),
    JUNIT.replace('Pods should be submitted', 'Serial one'),
  );
  fs.mkdirSync(path.join(dir, 'v1.34.4', 'unfinished'));
  const runs = readRuns(dir);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].specs.length, 10);
});

test('a known upstream flake runs again only when it failed with its own message; its second result counts', () => {
  const aggregator = `[It] ${KNOWN_FLAKES[0].spec} [Conformance] [sig-api-machinery, Conformance]`;
  const dns = '[It] [sig-network] DNS should provide DNS for services [Conformance]';
  const stale = 'could not find … wardle.example.com/v1alpha1: stale GroupVersion discovery: …';
  const failed = (name: string, message: string) => ({
    name,
    status: 'failed' as const,
    seconds: 1,
    message,
  });
  assert.deepEqual(flakesToRerun([failed(aggregator, stale), failed(aggregator, stale)]), [KNOWN_FLAKES[0]]);
  assert.deepEqual(flakesToRerun([failed(aggregator, 'the sample-apiserver pod never became ready')]), []);
  assert.deepEqual(flakesToRerun([failed(dns, stale)]), [], 'another spec with the same message');
  assert.deepEqual(flakesToRerun([{ name: aggregator, status: 'passed', seconds: 1 }]), []);

  const first = [failed(aggregator, stale), failed(dns, 'no A record')];
  const passedAgain = withRerun(first, [{ name: aggregator, status: 'passed', seconds: 30 }]);
  assert.deepEqual(
    passedAgain.map((s) => s.status),
    ['passed', 'failed'],
    'the DNS failure stands',
  );
  const failedAgain = withRerun(first, [failed(aggregator, stale)]);
  assert.deepEqual(
    failedAgain.map((s) => s.status),
    ['failed', 'failed'],
  );
  assert.equal(withRerun(first, [])[0].status, 'failed', 'a rerun that did not run the spec changes nothing');
});
