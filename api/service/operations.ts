// Operations are workflow runs with ID zke/<cluster>: the server's ID uniqueness is the per-cluster lock.
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
  WorkflowNotFoundError,
} from '@temporalio/client';
import type { z } from 'zod';
import { ClusterName, ClusterOperation } from '../../common/searchAttributes.ts';
import {
  clusterWorkflowId,
  NOT_AFTER,
  type OperationResult,
  type OperationStatus,
  statusQuery,
} from '../../workflows/types.ts';
import { conflict, notFound } from '../problem.ts';
import type { Operation } from '../schemas.ts';
import {
  type InputOf,
  kindOfWorkflowType,
  operationId,
  parseOperationId,
  type StartableKind,
  WORKFLOW_TYPES,
  type WorkflowOf,
} from './operationIds.ts';

export type OperationView = z.infer<typeof Operation>;

const STATES: Record<string, OperationView['state']> = {
  RUNNING: 'running',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'succeeded',
};
/** States whose run can still answer the status query (a worker replays closed runs). */
const QUERYABLE = new Set<OperationView['state']>(['running', 'failed', 'cancelled']);

/** How long a started workflow may take to show in list queries (visibility is updated asynchronously). */
const VISIBILITY_LAG_MS = 10_000;

/** How long one visibility query for the running workflows serves listings. */
const RUNNING_IDS_TTL_MS = 1000;

export class Operations {
  /** When this process last started an operation on each cluster, for VISIBILITY_LAG_MS. */
  private readonly startedAt = new Map<string, number>();
  /** The last visibility query for running workflows, and when it started. */
  private runningIds?: { at: number; ids: Promise<string[]> };

  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** Bound on a request's Temporal calls: past it they fail with DEADLINE_EXCEEDED (503). */
    private readonly deadlineMs: number,
    /** Bound on the status query: without a worker polling, a query waits for this long. */
    private readonly queryTimeoutMs = 3000,
  ) {}

  /** Runs fn's Temporal calls under a fresh deadline. */
  withDeadline<T>(fn: () => Promise<T>, deadline = Date.now() + this.deadlineMs): Promise<T> {
    return this.client.withDeadline(deadline, fn);
  }

  /**
   * Starts `kind` on the cluster; 409 when another operation holds the cluster. A start Temporal takes in
   * after its deadline (it was frozen, and the API answered 503) ends at once, doing nothing: see NOT_AFTER.
   */
  async start<K extends StartableKind>(
    kind: K,
    cluster: string,
    input: InputOf<K>,
  ): Promise<{ operationId: string; operation: K }> {
    const deadline = Date.now() + this.deadlineMs;
    try {
      const handle = await this.withDeadline(
        () =>
          this.client.workflow.start<WorkflowOf<K>>(WORKFLOW_TYPES[kind], {
            workflowId: clusterWorkflowId(cluster),
            taskQueue: this.taskQueue,
            args: [input] as Parameters<WorkflowOf<K>>,
            workflowIdConflictPolicy: 'FAIL',
            memo: { [NOT_AFTER]: new Date(deadline).toISOString(), [REVISION_MEMO]: revisionOf(input) },
            typedSearchAttributes: [
              { key: ClusterName, value: cluster },
              { key: ClusterOperation, value: kind },
            ],
          }),
        deadline,
      );
      this.startedAt.set(cluster, Date.now());
      return { operationId: operationId(cluster, handle.firstExecutionRunId), operation: kind };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) throw await this.busy(cluster);
      throw error;
    }
  }

  /**
   * Whether the cluster's running operation applies `revision`: a request that lost the race to start (through
   * another API replica) must not discard the revision the winner, submitting the same spec, runs.
   */
  async runs(cluster: string, revision: number): Promise<boolean> {
    const desc = await describeOrUndefined(this.client.workflow.getHandle(clusterWorkflowId(cluster)));
    return desc?.status.name === 'RUNNING' && desc.memo?.[REVISION_MEMO] === revision;
  }

  /** Throws 409 when an operation is running on the cluster. */
  async assertIdle(cluster: string): Promise<void> {
    if (await this.running(cluster)) throw await this.busy(cluster);
  }

  /** The running operation of the cluster (with its progress), if any. */
  async running(cluster: string): Promise<OperationView | undefined> {
    const desc = await describeOrUndefined(this.client.workflow.getHandle(clusterWorkflowId(cluster)));
    if (desc?.status.name !== 'RUNNING') return undefined;
    return this.view(this.client.workflow.getHandle(desc.workflowId, desc.runId), desc);
  }

  /**
   * The running operations among these clusters, with their progress: one visibility query for the running
   * workflows, then a describe of each hit. Visibility may lag a start by a moment, so clusters this process
   * started an operation on within VISIBILITY_LAG_MS are described too.
   */
  async runningOf(clusters: string[]): Promise<Map<string, OperationView>> {
    const candidates = new Set([...this.recentlyStarted(), ...(await this.recentRunningClusterIds())]);
    const found = await Promise.all(
      clusters.filter((c) => candidates.has(c)).map(async (c) => [c, await this.running(c)] as const),
    );
    return new Map(found.filter((entry): entry is [string, OperationView] => entry[1] !== undefined));
  }

  /**
   * runningClusterIds, answered from a query started less than RUNNING_IDS_TTL_MS ago (concurrent callers share
   * one query; a failed one is not kept). Each hit is described before it is shown, so an operation that ended
   * meanwhile is never shown as running; one started meanwhile by another process shows up to that much later.
   */
  private recentRunningClusterIds(): Promise<string[]> {
    const now = Date.now();
    if (!this.runningIds || now - this.runningIds.at >= RUNNING_IDS_TTL_MS) {
      const ids = this.runningClusterIds();
      this.runningIds = { at: now, ids };
      ids.catch(() => {
        if (this.runningIds?.ids === ids) this.runningIds = undefined;
      });
    }
    return this.runningIds.ids;
  }

  /**
   * The clusters with a running workflow, read from the raw visibility rows: no memo is decoded, so a row this
   * API cannot decode (another keyring, another tool's workflow in the namespace) cannot fail the listing.
   */
  private async runningClusterIds(): Promise<string[]> {
    const prefix = clusterWorkflowId('');
    const ids: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listWorkflowExecutions({
        namespace: this.client.options.namespace,
        query: `WorkflowId STARTS_WITH "${prefix}" AND ExecutionStatus = "Running"`,
        nextPageToken,
      });
      for (const e of page.executions) ids.push(e.execution?.workflowId?.slice(prefix.length) ?? '');
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return ids;
  }

  private recentlyStarted(): string[] {
    const since = Date.now() - VISIBILITY_LAG_MS;
    for (const [cluster, at] of this.startedAt) if (at < since) this.startedAt.delete(cluster);
    return [...this.startedAt.keys()];
  }

  /** The cluster's newest operation, running or not; `detailed` adds progress and result. */
  async latest(cluster: string, detailed = true): Promise<OperationView | undefined> {
    const desc = await describeOrUndefined(this.client.workflow.getHandle(clusterWorkflowId(cluster)));
    if (!desc) return undefined;
    return detailed
      ? this.view(this.client.workflow.getHandle(desc.workflowId, desc.runId), desc)
      : baseView(desc);
  }

  async get(id: string): Promise<OperationView> {
    const handle = this.handle(id);
    const desc = await describeOrUndefined(handle);
    if (!desc) throw notFound(`no operation ${id}`);
    return this.view(handle, desc);
  }

  /** Requests cancellation; the workflow stops at its next step boundary and cleans up. */
  async cancel(id: string): Promise<OperationView> {
    const operation = await this.get(id);
    if (operation.state !== 'running') throw conflict(`operation ${id} is not running (${operation.state})`);
    await this.handle(id).cancel();
    return operation;
  }

  /** Operations on a cluster, newest first (without progress). */
  async list(cluster: string, limit = 20): Promise<OperationView[]> {
    const out: OperationView[] = [];
    const query = `WorkflowId = "${clusterWorkflowId(cluster)}"`;
    for await (const info of this.client.workflow.list({ query, pageSize: limit })) {
      out.push(baseView(info as WorkflowExecutionDescription));
      if (out.length >= limit) break;
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  private handle(id: string): WorkflowHandle {
    const parsed = parseOperationId(id);
    if (!parsed) throw notFound(`no operation ${id} (ids look like <cluster>.<run id>)`);
    return this.client.workflow.getHandle(clusterWorkflowId(parsed.cluster), parsed.runId);
  }

  private async view(handle: WorkflowHandle, desc: WorkflowExecutionDescription): Promise<OperationView> {
    const view = baseView(desc);
    if (view.state === 'running') return { ...view, progress: await this.progress(handle) };
    if (view.state === 'succeeded') {
      const result = (await handle.result()) as OperationResult | undefined;
      return {
        ...view,
        progress: result?.status,
        result: result && { summary: result.summary, skippedHosts: result.skippedHosts ?? [] },
      };
    }
    const error = await handle.result().then(
      () => undefined,
      (err: Error) => innermostMessage(err),
    );
    return { ...view, error, progress: QUERYABLE.has(view.state) ? await this.progress(handle) : undefined };
  }

  /** The `status` query, bounded in time (no worker, or an old run nobody can replay → undefined). */
  private async progress(handle: WorkflowHandle): Promise<OperationStatus | undefined> {
    try {
      return await this.client.withDeadline(Date.now() + this.queryTimeoutMs, () =>
        handle.query(statusQuery),
      );
    } catch {
      return undefined;
    }
  }

  private async busy(cluster: string): Promise<Error> {
    const running = await this.running(cluster);
    if (!running) return conflict(`cluster ${cluster} is busy: another operation was just started`);
    return conflict(
      `cluster ${cluster} is busy: ${running.operation} is running (operation id ${running.id})`,
      { operationId: running.id },
    );
  }
}

/** The memo key naming the revision an operation applies. */
const REVISION_MEMO = 'zke.revision';

function revisionOf(input: unknown): number | null {
  const revision = (input as { revision?: unknown }).revision;
  return typeof revision === 'number' ? revision : null;
}

function baseView(desc: WorkflowExecutionDescription): OperationView {
  const cluster = desc.typedSearchAttributes.get(ClusterName) ?? desc.workflowId.replace(/^zke\//, '');
  return {
    id: operationId(cluster, desc.runId),
    cluster,
    operation: desc.typedSearchAttributes.get(ClusterOperation) ?? kindOfWorkflowType(desc.type),
    workflowType: desc.type,
    state: STATES[desc.status.name] ?? 'failed',
    startedAt: desc.startTime.toISOString(),
    closedAt: desc.closeTime?.toISOString(),
  };
}

async function describeOrUndefined(
  handle: WorkflowHandle,
): Promise<WorkflowExecutionDescription | undefined> {
  try {
    return await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** The innermost message of a failure chain (WorkflowFailedError → ActivityFailure → ApplicationFailure). */
function innermostMessage(err: Error): string {
  let e: Error & { cause?: unknown } = err;
  while (e.cause instanceof Error) e = e.cause;
  return e.message;
}
