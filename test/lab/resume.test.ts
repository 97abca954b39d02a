// Crash and resume: the worker is SIGKILLed at every step boundary of a provision and inside the control plane
// step (its activity then retries: attempt 2), and the Temporal dev server is killed and restarted (same SQLite
// file) mid-run; the workflow still completes, and docker's own event stream, read on each host from before the
// run, proves every container was created exactly once and none replaced (a replace renames it to old-<name>).
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
import { assertCreatedOnce, type DockerEventStream, streamDockerEvents } from '../support/dockerEvents.ts';
import { activityRuns, waitForStatus } from '../support/faults.ts';
import { KEY_MATERIAL } from '../support/history.ts';
import { type LabHost, labDown, labImages, labUp } from '../support/lab.ts';
import '../support/temporal.ts'; // sets ZKE_HOME / ZKE_KEYRING for this process and the worker processes
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker, type WorkerProcess } from '../support/workerProcess.ts';

const skip = k8sSkipReason();
const dir = tempDir('zke-resume');
const server = {
  cli: process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal'),
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
let events = new Map<string, DockerEventStream>();

before(async () => {
  if (skip) return;
  hosts = await labUp(3);
  await labImages();
  temporal = await startDevServer(server);
});
after(async () => {
  if (skip) return;
  await worker?.kill();
  for (const stream of events.values()) await stream.stop().catch(() => {}); // stopped unless the test failed
  await temporal?.stop();
  await labDown();
});

const newWorker = () => spawnWorker(temporal.address, taskQueue, path.join(dir, 'worker.log'));

/** Polls the status query (through the current client: the server restarts) until ready; bounded. */
const waitUntil = (client: Client, what: string, ready: (s: OperationStatus) => boolean) =>
  waitForStatus(client.workflow.getHandle(clusterWorkflowId('resume')), what, ready);

test(
  'provision survives worker SIGKILLs at every step boundary and inside a step, and a Temporal restart, without redoing work',
  { skip, timeout: 1_500_000 },
  async (t) => {
    events = new Map(hosts.map((h) => [h.name, streamDockerEvents(h.name)]));
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
    /** SIGKILLs the worker once zlab1 created its kube-apiserver: inside the control plane's activity. */
    const crashInside = async (zlab1: DockerEventStream) => {
      await zlab1.waitFor((e) => e.action === 'create' && e.name === 'kube-apiserver', 300_000);
      await crashAt('inside control plane (zlab1 created kube-apiserver)', (s) => s.step === 'control plane');
    };
    // Every step boundary, plus between two etcd hosts and inside zlab1's control plane activity.
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
      if (step === 'control plane') await crashInside(events.get('zlab1')!);
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

    const interrupted = (await activityRuns(client.workflow.getHandle(handle.workflowId))).find((r) => {
      const input = r.input as { host?: string; plane?: string } | undefined;
      return r.type === 'reconcileHost' && input?.host === 'zlab1' && input.plane === 'controlplane';
    });
    t.diagnostic(
      `zlab1's control plane: attempt ${interrupted?.attempt}, before: ${interrupted?.lastFailure}`,
    );
    assert.ok(
      interrupted && interrupted.attempt > 1,
      "the kill interrupted zlab1's control plane activity: it ran again",
    );

    for (const stream of events.values()) await stream.stop();
    assertCreatedOnce(buildPlan(spec), events);
    await client.connection.close();
  },
);
