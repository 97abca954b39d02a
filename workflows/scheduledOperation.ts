// ScheduledOperation: what a cluster's Temporal Schedule starts. It runs the real operation as a child
// workflow under the cluster's operation ID, so a scheduled run obeys the one-operation-at-a-time rule: when
// the cluster is busy it records "skipped: busy" and completes. A rotation can be limited to certificates
// that expire soon (`rotateWithinDays`).
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { ClusterName, ClusterOperation } from '../common/searchAttributes.ts';
import { rootMessage } from './concurrency.ts';
import { shortStep } from './options.ts';
import { rotateCertificates } from './rotateCertificates.ts';
import { snapshotEtcd } from './snapshotEtcd.ts';
import { clusterWorkflowId, type OperationResult } from './types.ts';

const short = proxyActivities<Activities>(shortStep);

export interface ScheduledInput {
  cluster: string;
  operation: 'rotate-certificates' | 'snapshot';
  /** Rotation only: rotate when some certificate expires within this many days, else skip. */
  rotateWithinDays?: number;
}

export interface ScheduledOutcome {
  outcome: string;
  result?: OperationResult;
}

const DAY_MS = 86_400_000;

export async function scheduledOperation(input: ScheduledInput): Promise<ScheduledOutcome> {
  const { cluster, operation } = input;
  const record = async (outcome: string, result?: OperationResult): Promise<ScheduledOutcome> => {
    await short.recordScheduledRun({ cluster, operation, outcome, at: new Date().toISOString() });
    return { outcome, result };
  };
  if (operation === 'rotate-certificates' && input.rotateWithinDays !== undefined) {
    const due = await rotationDue(cluster, input.rotateWithinDays);
    if (!due.due) return record(`skipped: not due (${due.reason})`);
  }
  const child = await startChild(operation === 'snapshot' ? snapshotEtcd : rotateCertificates, {
    workflowId: clusterWorkflowId(cluster),
    args: [{ cluster }],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    typedSearchAttributes: [
      { key: ClusterName, value: cluster },
      { key: ClusterOperation, value: operation },
    ],
  }).catch((err: unknown) => {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
    throw err;
  });
  if (!child) return record('skipped: busy');
  try {
    return record(`${operation} succeeded`, await child.result());
  } catch (err) {
    await record(`${operation} failed: ${rootMessage(err as Error)}`);
    throw err;
  }
}

async function rotationDue(cluster: string, days: number): Promise<{ due: boolean; reason: string }> {
  const expiry = Object.entries(await short.certificateExpiry({ cluster }));
  if (!expiry.length) return { due: true, reason: 'no expiry known' };
  const [name, soonest] = expiry.reduce((a, b) => (Date.parse(b[1]) < Date.parse(a[1]) ? b : a));
  const left = (Date.parse(soonest) - Date.now()) / DAY_MS;
  return { due: left <= days, reason: `${name} expires ${soonest}, in ${Math.floor(left)} days` };
}
