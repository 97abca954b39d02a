// Crash and resume: the worker is SIGKILLed at several steps of a provision and the Temporal dev server is killed
// and restarted (same SQLite file) mid-run; the workflow still completes, and docker's own event log proves no
// container was created twice.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../common/temporal.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { type DevServer, startDevServer } from '../../scripts/devServer.ts';
import { PROVISION_STEPS } from '../../workflows/provisionCluster.ts';
import { clusterWorkflowId, type OperationStatus } from '../../workflows/types.ts';
import {
  k8sSkipReason,
  labClusterYaml,
  parseOrThrow,
  type RoleMap,
  submitRevision,
} from '../support/cluster.ts';
import { waitForStatus } from '../support/faults.ts';
import { KEY_MATERIAL } from '../support/history.ts';
import { type LabHost, labDown, labExec, labImages, labUp } from '../support/lab.ts';
import '../support/temporal.ts'; // sets ZKE_HOME / ZKE_KEYRING for this process and the worker processes
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';

const skip = k8sSkipReason();
const dir = tempDir('zke-resume');
const server = {
  cli: path.resolve('.zke/tools/py/bin/temporal'),
  dbFile: path.join(dir, 'temporal.db'),
  port: 19233,
  logFile: path.join(dir, 'temporal.log'),
};
const taskQueue = 'resume';
const ROLES: RoleMap = {
  zlab1: ['etcd', 'controlplane', 'worker'],
  zlab2: ['etcd', 'worker'],
  zlab3: ['etcd', 'worker', 'edge'],
};
let hosts: LabHost[];
let temporal: DevServer;
let worker: WorkerProcess;

before(async () => {
  if (skip) return;
  hosts = await labUp(3);
  await labImages();
  temporal = await startDevServer(server);
});
after(async () => {
  if (skip) return;
  await worker?.kill();
  await temporal?.stop();
  await labDown();
});

const newWorker = () => spawnWorker(temporal.address, taskQueue, path.join(dir, 'worker.log'));

/** Polls the status query (through the current client: the server restarts) until ready; bounded. */
const waitUntil = (client: Client, what: string, ready: (s: OperationStatus) => boolean) =>
  waitForStatus(client.workflow.getHandle(clusterWorkflowId('resume')), what, ready);

async function creations(host: string, since: number): Promise<string[]> {
  const out = await labExec(host, [
    'docker',
    'events',
    '--since',
    String(since),
    '--until',
    String(Math.ceil(Date.now() / 1000)),
    '--filter',
    'type=container',
    '--filter',
    'event=create',
    '--format',
    '{{.Actor.Attributes.name}}',
  ]);
  return out.stdout.split('\n').filter(Boolean);
}

test(
  'provision survives a worker SIGKILL at every step boundary and a Temporal restart, without redoing work',
  { skip, timeout: 1_500_000 },
  async (t) => {
    const since = Math.floor(Date.now() / 1000);
    const spec = parseOrThrow(labClusterYaml('resume', hosts, ROLES));
    const revision = submitRevision(spec);
    let client = await connectClient(temporal.address);
    worker = await newWorker();
    const handle = await client.workflow.start('provisionCluster', {
      taskQueue,
      workflowId: clusterWorkflowId('resume'),
      args: [{ cluster: 'resume', revision }],
    });
    const kills: string[] = [];
    /** Waits until ready (or the run's end: false), SIGKILLs the worker and starts a new one. */
    const crashAt = async (what: string, ready: (s: OperationStatus) => boolean): Promise<boolean> => {
      const s = await waitUntil(client, what, (st) => ready(st) || st.phase !== 'running');
      if (s.phase !== 'running') return false;
      await worker.kill('SIGKILL');
      kills.push(`${what} (during ${s.step})`);
      worker = await newWorker();
      return true;
    };
    const after = (step: string) => (s: OperationStatus) => s.stepsDone.includes(step);
    // Every step boundary, plus inside the etcd plane (between two etcd hosts).
    for (const [i, step] of PROVISION_STEPS.entries()) {
      if (i === 0) continue;
      const prev = PROVISION_STEPS[i - 1]!;
      if (step === 'network plugin') {
        // The Temporal server itself goes away here and comes back on the same SQLite file.
        await waitUntil(client, `after ${prev}`, after(prev));
        await temporal.stop();
        temporal = await startDevServer(server);
        await client.connection.close();
        client = await connectClient(temporal.address);
        continue;
      }
      const killed = await crashAt(`after ${prev}`, after(prev));
      if (!killed) break;
      if (step === 'etcd plane')
        await crashAt(
          'between etcd hosts',
          (s) =>
            s.step === 'etcd plane' && s.hosts.zlab1?.step === 'etcd plane' && s.hosts.zlab1.state === 'done',
        );
    }
    t.diagnostic(`worker SIGKILLed: ${kills.join('; ')}`);

    const result = await client.workflow.getHandle(handle.workflowId).result();
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const workerLog = fs.readFileSync(path.join(dir, 'worker.log'), 'utf8');
    assert.doesNotMatch(workerLog, KEY_MATERIAL, 'no key material in the logs of the workers');
    // The last boundary (kubeconfig takes well under a second) may pass between two status polls.
    assert.ok(
      kills.length >= PROVISION_STEPS.length - 2,
      `worker killed at ${kills.length} points: ${kills.join('; ')}`,
    );

    const plan = buildPlan(spec);
    for (const h of plan.hosts) {
      const created = await creations(h.name, since);
      const counts = Object.fromEntries(
        h.containers.map((c) => [c.name, created.filter((n) => n === c.name).length]),
      );
      assert.deepEqual(
        counts,
        Object.fromEntries(h.containers.map((c) => [c.name, 1])),
        `${h.name}: every container created exactly once`,
      );
      assert.deepEqual(
        created.filter((n) => n.startsWith('old-')),
        [],
        `${h.name}: no replacement happened`,
      );
    }
    await client.connection.close();
  },
);
