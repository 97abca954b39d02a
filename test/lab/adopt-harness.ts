// Shared by the adoption lab tests: zke adopt as the API runs it, and the etcd member list a host's etcd reports.
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import { store } from '../../activities/clusterState.ts';
import { AuditLog } from '../../api/service/audit.ts';
import { createServices } from '../../api/service/index.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { labExec } from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';
import type { LabSuite } from './lifecycle-harness.ts';

/** zke adopt as the API runs it: the spec and state submitted, then the adopt operation's outcome. */
export async function adopt(
  suite: LabSuite,
  cluster: string,
  doc: object,
  state: object,
  apply: boolean,
): Promise<OperationResult> {
  return (await startAdopt(suite, cluster, doc, state, apply).then((h) => h.result())) as OperationResult;
}

/** zke adopt submitted as the API submits it, on `taskQueue` (the suite's own worker by default); its handle. */
export async function startAdopt(
  suite: LabSuite,
  cluster: string,
  doc: object,
  state: object,
  apply: boolean,
  taskQueue = suite.taskQueue,
): Promise<WorkflowHandle> {
  const services = createServices({
    client: suite.t.client,
    taskQueue,
    store: store(),
    audit: new AuditLog(`${tempDir('zke-adopt-audit')}/audit.log`),
    temporalDeadlineMs: 30_000,
  });
  await services.submissions.adopt(cluster, { spec: doc, state, apply }, 'test');
  return suite.t.client.workflow.getHandle(clusterWorkflowId(cluster));
}

/** `etcdctl member list` in the host's etcd container (ID, status, name, peer and client URLs). */
export async function etcdMembers(host: string): Promise<string> {
  const out = await labExec(host, ['docker', 'exec', 'etcd', 'etcdctl', 'member', 'list']);
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.trim();
}
