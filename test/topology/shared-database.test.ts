// The shared-state suite (test/integration/shared-database.test.ts) on the production topology: the same two API
// replicas and two workers, each with a ZKE_HOME of its own and zke's state in PostgreSQL, against a real Temporal
// cluster (four services on PostgreSQL, mTLS) instead of the dev server. `npm run test:topology`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { alive, clusterScript, SERVICES } from '../../scripts/clusterScript.ts';

const topology = clusterScript();
let pids: number[] = [];

before(() => {
  topology.up();
  pids = SERVICES.map(topology.pidOf);
});

after(() => {
  topology.run('down');
  assert.deepEqual(pids.filter(alive), [], 'down left no PostgreSQL or Temporal process running');
});

test(
  'two API replicas and two workers sharing only the database, on a Temporal cluster with mTLS',
  { timeout: 600_000 },
  () => {
    assert.ok(process.env.ZKE_TEMPORAL_TLS_CERT, 'the topology speaks mTLS');
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=tap',
        path.resolve('test/integration/shared-database.test.ts'),
      ],
      // NODE_TEST_CONTEXT would make the inner runner report to this one instead of running the file
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_TEST_CONTEXT: undefined },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const failed = run.stdout.split('\n').filter((line) => line.startsWith('not ok'));
    assert.equal(run.status, 0, `${failed.join('\n')}\n${run.stdout.slice(-4000)}${run.stderr.slice(-2000)}`);
    assert.match(run.stdout, /^# fail 0$/m);
    assert.match(run.stdout, /^# skipped 0$/m);
    assert.match(run.stdout, /^# pass [1-9]\d*$/m);
  },
);
