// Operation ids: `<cluster>.<run id>`. Run ids are UUIDs (no dots), so the last dot splits them.
import type * as workflows from '../../workflows/index.ts';
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

export type StartableKind = OperationKind;

/**
 * Workflow type names. The API starts workflows by name and never loads workflow code, but the names and the
 * inputs are checked against the workflows' own types: a renamed workflow or a changed input fails to compile.
 */
export const WORKFLOW_TYPES = {
  provision: 'provisionCluster',
  upgrade: 'upgradeCluster',
  rollback: 'rollbackCluster',
  'rotate-certificates': 'rotateCertificates',
  'rotate-encryption-key': 'rotateEncryptionKey',
  snapshot: 'snapshotEtcd',
  restore: 'restoreEtcd',
  remove: 'removeCluster',
  'load-images': 'loadImages',
  adopt: 'adoptCluster',
} as const satisfies Record<StartableKind, keyof typeof workflows>;

/** The workflow function an operation kind starts. */
export type WorkflowOf<K extends StartableKind> = (typeof workflows)[(typeof WORKFLOW_TYPES)[K]];
/** Its input: what the API must pass to start it. */
export type InputOf<K extends StartableKind> = Parameters<WorkflowOf<K>>[0];

export function kindOfWorkflowType(type: string): string {
  return Object.entries(WORKFLOW_TYPES).find(([, name]) => name === type)?.[0] ?? type;
}
