// Helpers for fault-injection lab tests: start a provision without waiting, watch its status query until a
// step is reached, inject a fault for a while, and read what the store recorded.
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { type CurrentState, currentState, store } from '../../activities/clusterState.ts';
import {
  clusterWorkflowId,
  type OperationResult,
  type OperationStatus,
  statusQuery,
} from '../../workflows/types.ts';
import { labClusterYaml, parseOrThrow, type RoleMap, submitRevision } from './cluster.ts';
import { decodedJson } from './history.ts';
import { lab } from './lab.ts';
import { useLabSuite } from './labSuite.ts';

/**
 * Hooks for a fault test file (unless skip): before its tests a Temporal server, `hosts` lab hosts with the
 * test images and a worker; after them, all down. The returned start() provisions `cluster` with `roles`
 * (ending a run an earlier test left going).
 */
export function useFaultLab(
  hosts: number,
  cluster: string,
  roles: RoleMap,
  skip: string | undefined,
  /** Settings under the spec's `option` (zke format), e.g. disable_port_check. */
  option: Record<string, unknown> = {},
): { start(): Promise<WorkflowHandle> } {
  const lab = useLabSuite(hosts, skip);
  return {
    async start() {
      await endLeftover(lab.t.client, clusterWorkflowId(cluster));
      const doc = labClusterYaml(cluster, lab.hosts, roles);
      const spec = parseOrThrow({ ...doc, option: { ...(doc.option as object), ...option } });
      return startProvision(lab.t.client, lab.taskQueue, cluster, submitRevision(spec));
    },
  };
}

/** Terminates a run an earlier test of the file left going (it failed midway), so the next test starts its own. */
async function endLeftover(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const status = await handle.describe().then(
    (d) => d.status.name,
    () => undefined,
  );
  if (status === 'RUNNING') await handle.terminate('an earlier test left it running');
}

/** Starts provisionCluster for cluster at revision; resolves once the workflow is started. */
export function startProvision(
  client: Client,
  taskQueue: string,
  cluster: string,
  revision: number,
): Promise<WorkflowHandle> {
  return client.workflow.start('provisionCluster', {
    taskQueue,
    workflowId: clusterWorkflowId(cluster),
    args: [{ cluster, revision }],
    workflowIdConflictPolicy: 'FAIL',
  });
}

async function statusOf(handle: WorkflowHandle): Promise<OperationStatus | undefined> {
  try {
    return await handle.query(statusQuery);
  } catch {
    return undefined;
  }
}

/** Polls the status query until ready(status); rejects when the run ends first or after 10 minutes. */
export async function waitForStatus(
  handle: WorkflowHandle,
  what: string,
  ready: (s: OperationStatus) => boolean,
): Promise<OperationStatus> {
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline) {
    const s = await statusOf(handle);
    if (s && ready(s)) return s;
    if (s && s.phase !== 'running')
      throw new Error(`operation ended (${s.phase}: ${s.error}) before ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const STARTED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/**
 * Polls the workflow's pending activities (every 100 ms: some run for seconds) until one a worker has started
 * satisfies `match` (its type name); its type. Rejects when the run ends first or after 10 minutes.
 */
export async function waitForStartedActivity(
  handle: WorkflowHandle,
  what: string,
  match: (type: string) => boolean,
): Promise<string> {
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; ) {
    const { raw, status } = await handle.describe();
    const started = (raw.pendingActivities ?? []).find(
      (a) => a.state === STARTED && match(a.activityType?.name ?? ''),
    );
    if (started) return started.activityType?.name ?? '';
    if (status.name !== 'RUNNING') throw new Error(`operation ended (${status.name}) before ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Runs `zlab.sh <command> host [args...]` (e.g. `disk-full zlab2 16m`), throwing when it fails; its output. */
export async function labFault(command: string, host: string, ...args: string[]): Promise<string> {
  const r = await lab([command, host, ...args]);
  if (r.code !== 0)
    throw new Error(`zlab.sh ${[command, host, ...args].join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** What the cluster store records after an operation: the cluster's state and the operation's last status. */
export function recorded(cluster: string): { current?: CurrentState; status?: OperationStatus } {
  return { current: currentState(cluster), status: store().read<OperationStatus>(cluster, 'last-status') };
}

/**
 * The workflow's result, or the failure it ended with. A run with no outcome within `limitMs` is terminated
 * (the file's next test can start its own) and comes back as an Error naming its step and pending activities.
 */
export async function outcome(handle: WorkflowHandle, limitMs = 540_000): Promise<OperationResult | Error> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), limitMs);
  });
  try {
    const result = await Promise.race([handle.result(), late]);
    if (result !== 'late') return result as OperationResult;
    const stuck = await stuckRun(handle);
    await handle.terminate(`no outcome within ${limitMs / 1000} s`);
    return new Error(`no outcome within ${limitMs / 1000} s: ${stuck}`);
  } catch (err) {
    return err as Error;
  } finally {
    clearTimeout(timer);
  }
}

/** Where a run stands: its step and each pending activity's attempt, last heartbeat and last failure. */
async function stuckRun(handle: WorkflowHandle): Promise<string> {
  const step = (await statusOf(handle))?.step;
  const { raw } = await handle.describe();
  const pending = await Promise.all(
    (raw.pendingActivities ?? []).map(async (a) => {
      const details = a.heartbeatDetails?.payloads ?? [];
      const [note] = details.length ? await decodedJson(details as Payload[]).catch(() => ['?']) : [];
      const beat = a.lastHeartbeatTime?.seconds
        ? new Date(Number(a.lastHeartbeatTime.seconds) * 1000)
        : undefined;
      return `${a.activityType?.name} attempt ${a.attempt} on ${a.lastWorkerIdentity}, last heartbeat ${beat?.toISOString() ?? 'none'} (${JSON.stringify(note)}), last failure: ${a.lastFailure?.message ?? 'none'}`;
    }),
  );
  return `step ${step ?? 'unknown'}; pending: ${pending.join('; ') || 'none'}`;
}

export interface ActivityRun {
  type: string;
  /** Its last attempt's number. */
  attempt: number;
  /** Its first argument, decrypted. */
  input: unknown;
  /** The message of the attempt before the last, when it was retried. */
  lastFailure?: string;
  /** The worker that ran its last attempt (`PID@host`). */
  identity: string;
}

/** Every activity a workflow's history shows started (a retried one: its last attempt). */
export async function activityRuns(handle: WorkflowHandle): Promise<ActivityRun[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map(
    events.flatMap((e) => {
      const s = e.activityTaskScheduledEventAttributes;
      return s ? [[String(e.eventId), s] as const] : [];
    }),
  );
  const runs: ActivityRun[] = [];
  for (const e of events) {
    const started = e.activityTaskStartedEventAttributes;
    if (!started) continue;
    const s = scheduled.get(String(started.scheduledEventId));
    const [input] = await decodedJson(s?.input?.payloads ?? []);
    runs.push({
      type: s?.activityType?.name ?? '',
      attempt: started.attempt ?? 0,
      input,
      lastFailure: started.lastFailure?.message ?? undefined,
      identity: started.identity ?? '',
    });
  }
  return runs;
}

/** Every activity a workflow's history shows started: its type and attempt number (a retried one: its last). */
export async function activityAttempts(handle: WorkflowHandle): Promise<{ type: string; attempt: number }[]> {
  return (await activityRuns(handle)).map(({ type, attempt }) => ({ type, attempt }));
}

/** Activity retries in a workflow's history: the sum of (attempt - 1) over every started activity. */
export async function retriedAttempts(handle: WorkflowHandle): Promise<number> {
  return (await activityAttempts(handle)).reduce((sum, { attempt }) => sum + attempt - 1, 0);
}
