// The service layer the routes call: one object per concern, wired from the API's dependencies.
import type { Client } from '@temporalio/client';
import type { ClusterStore } from '../../common/store.ts';
import type { AuditLog } from './audit.ts';
import { ClusterLocks } from './clusterLocks.ts';
import { Clusters } from './clusters.ts';
import { Operations } from './operations.ts';
import { Revisions } from './revisions.ts';
import { Schedules } from './schedules.ts';
import { SpecSubmissions } from './submit.ts';

export interface ServiceDeps {
  client: Client;
  /** Task queue the workflows are started on (tests point it at their own worker). */
  taskQueue: string;
  store: ClusterStore;
  audit: AuditLog;
  /** Bound on each status query (default 3 s). */
  queryTimeoutMs?: number;
  /** Bound on a request's Temporal calls. */
  temporalDeadlineMs: number;
  /** How long an event stream's polls may fail in a row before it ends with an error (default 30 s). */
  streamGiveUpMs?: number;
}

export interface Services {
  store: ClusterStore;
  audit: AuditLog;
  locks: ClusterLocks;
  revisions: Revisions;
  operations: Operations;
  clusters: Clusters;
  submissions: SpecSubmissions;
  schedules: Schedules;
  streamGiveUpMs?: number;
}

export function createServices(deps: ServiceDeps): Services {
  const revisions = new Revisions(deps.store);
  const operations = new Operations(
    deps.client,
    deps.taskQueue,
    deps.temporalDeadlineMs,
    deps.queryTimeoutMs,
  );
  const clusters = new Clusters(deps.store, revisions, operations);
  const locks = new ClusterLocks();
  return {
    store: deps.store,
    audit: deps.audit,
    locks,
    revisions,
    operations,
    clusters,
    submissions: new SpecSubmissions(clusters, revisions, operations, locks, deps.store),
    schedules: new Schedules(deps.client, deps.taskQueue),
    streamGiveUpMs: deps.streamGiveUpMs,
  };
}
