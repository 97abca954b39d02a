// Two zke workers on two "machines" (separate ZKE_HOMEs, zke's state in PostgreSQL) on a real Temporal cluster: a
// lab provision's control plane step is running on one of them when it is SIGKILLed; the other finishes the
// provision, and docker's event stream on the host proves no container was created twice or replaced.
// `npm run test:topology` (lab and Kubernetes build needed; about 3 minutes).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadOrCreateKeyring } from '../../common/keyring.ts';
import { connectClient } from '../../common/temporal.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { k8sSkipReason, labClusterYaml, parseOrThrow, submitRevision } from '../support/cluster.ts';
import { assertCreatedOnce, type DockerEventStream, streamDockerEvents } from '../support/dockerEvents.ts';
import { activityRuns, waitForStatus } from '../support/faults.ts';
import { type LabHost, labDown, labImages, labUp } from '../support/lab.ts';
import { postgresSkipReason, startPostgres } from '../support/postgres.ts';
import '../support/temporal.ts'; // ZKE_KEYRING for this process and the workers
import { clusterScript } from '../../scripts/clusterScript.ts';
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';

const skip = k8sSkipReason() ?? postgresSkipReason();
const CLUSTER = 'failover';
const taskQueue = `failover-${Date.now().toString(36)}`;
const dir = tempDir('zke-failover');
const topology = clusterScript();
let hosts: LabHost[];
let client: Client;
const workers: WorkerProcess[] = [];

before(
  async () => {
    if (skip) return;
    const address = topology.up();
    const pg = await startPostgres();
    loadOrCreateKeyring(process.env.ZKE_KEYRING as string);
    process.env.ZKE_DATABASE_URL = pg.url; // submitRevision writes the spec there, where the workers read it
    hosts = await labUp(1);
    await labImages();
    client = await connectClient(address);
    for (const home of ['machine-1', 'machine-2'])
      workers.push(
        await spawnWorker(address, taskQueue, path.join(dir, `${home}.log`), {
          ZKE_HOME: path.join(dir, home),
        }),
      );
  },
  { timeout: 1_800_000 },
);

after(async () => {
  if (skip) return;
  for (const worker of workers) await worker.kill();
  await client?.connection.close();
  await labDown();
  topology.run('down');
});

/** The PID of the worker running the workflow's pending activity (its identity is `PID@host`). */
async function pidRunningActivity(workflowId: string): Promise<number | undefined> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const started = raw.pendingActivities?.find((a) => a.lastWorkerIdentity);
  return started ? Number(started.lastWorkerIdentity?.split('@')[0]) : undefined;
}

test(
  'the worker running a provision step is SIGKILLed: the other one finishes it, nothing created twice',
  { skip, timeout: 900_000 },
  async (t) => {
    const spec = parseOrThrow(labClusterYaml(CLUSTER, hosts, { zlab1: ['etcd', 'controlplane', 'worker'] }));
    const events = new Map<string, DockerEventStream>([['zlab1', streamDockerEvents('zlab1')]]);
    const handle = await client.workflow.start('provisionCluster', {
      taskQueue,
      workflowId: clusterWorkflowId(CLUSTER),
      args: [{ cluster: CLUSTER, revision: submitRevision(spec) }],
    });
    await events.get('zlab1')?.waitFor((e) => e.action === 'create' && e.name === 'kube-apiserver', 600_000);
    await waitForStatus(handle, 'the control plane step', (s) => s.step === 'control plane');
    const pid = await pidRunningActivity(handle.workflowId);
    const victim = workers.find((w) => w.process.pid === pid);
    assert.ok(victim, `the activity runs on one of the two workers (PID ${pid})`);
    await victim.kill('SIGKILL');
    t.diagnostic(`SIGKILLed worker PID ${pid} during the control plane step`);

    const result: OperationResult = await handle.result();
    assert.equal(result.status.phase, 'succeeded', result.summary);
    for (const stream of events.values()) await stream.stop();
    assertCreatedOnce(buildPlan(spec), events);
    const controlPlane = (await activityRuns(handle)).find(
      (r) => r.type === 'reconcileHost' && r.attempt > 1,
    );
    const survivor = workers.find((w) => w !== victim)?.process.pid;
    assert.ok(controlPlane, 'the interrupted step ran again');
    assert.equal(controlPlane.identity.split('@')[0], String(survivor), 'on the other worker');
  },
);
