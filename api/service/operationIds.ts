// Operation ids: `<cluster>.<run id>`. Run ids are UUIDs (no dots), so the last dot splits them.
import type { OperationKind } from '../../workflows/types.ts';

export function operationId(cluster: string, runId: string): string {
  return `${cluster}.${runId}`;
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseOperationId(id: string): { cluster: string; runId: string } | undefined {
  const dot = id.lastIndexOf('.');
  const cluster = id.slice(0, dot);
  const runId = id.slice(dot + 1);
  return dot > 0 && RUN_ID.test(runId) ? { cluster, runId } : undefined;
}

export type StartableKind = Exclude<OperationKind, 'load-images'>;

/** Workflow type names (the API starts workflows by name; it never imports workflow code). */
export const WORKFLOW_TYPES: Record<StartableKind, string> = {
  provision: 'provisionCluster',
  upgrade: 'upgradeCluster',
  rollback: 'rollbackCluster',
  'rotate-certificates': 'rotateCertificates',
  snapshot: 'snapshotEtcd',
  restore: 'restoreEtcd',
  remove: 'removeCluster',
};

export function kindOfWorkflowType(type: string): string {
  return Object.entries(WORKFLOW_TYPES).find(([, name]) => name === type)?.[0] ?? type;
}
