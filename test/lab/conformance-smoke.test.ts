// The upstream Kubernetes conformance suite judges a cluster zke provisioned: its smoke slice (SMOKE_SPECS, one
// [Conformance] spec for each part of the cluster zke lays out) on the default 3-host spec of the newest version.
// The full suite runs with `npm run conformance` (docs/conformance.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  conformanceSkipReason,
  provisionConformanceCluster,
  runPartRerunningFlakes,
  SMOKE_SPECS,
  smokeFocus,
} from '../support/conformance.ts';
import { useLabSuite } from '../support/labSuite.ts';
import { tempDir } from '../support/tempDir.ts';

const VERSION = 'v1.34.4';
const skip = conformanceSkipReason(VERSION);
const lab = useLabSuite(3, skip);

test(
  `the smoke slice of the [Conformance] suite passes on a zke cluster (${VERSION}, 3 hosts)`,
  { skip },
  async (t) => {
    const { kubeconfig } = await provisionConformanceCluster(lab.t.client, lab.taskQueue, lab.hosts, VERSION);
    const run = await runPartRerunningFlakes({
      name: 'smoke',
      version: VERSION,
      kubeconfig,
      labels: 'Conformance',
      focus: [smokeFocus()],
      skip: [],
      nodes: 4,
      timeout: '20m',
      outDir: tempDir('zke-conformance-smoke'),
    });
    for (const spec of run.rerun) t.diagnostic(`known upstream flake, ran again alone: ${spec}`);
    const logs = run.logs.join(', ');
    const notPassed = run.specs
      .filter((s) => s.status !== 'passed')
      .map((s) => `${s.name}: ${s.status}: ${s.message}`);
    assert.deepEqual(notPassed, [], `see ${logs}`);
    assert.equal(run.specs.length, SMOKE_SPECS.length, `every smoke spec ran (ginkgo log: ${logs})`);
    assert.equal(run.exitCode, 0, `ginkgo exit code (log: ${logs})`);
  },
);
