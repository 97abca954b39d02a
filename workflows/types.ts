// Inputs, results and the status query of the cluster operation workflows (plain JSON, no secrets:
// specs are stored encrypted in the cluster store and referenced by revision number).
import { defineQuery } from '@temporalio/workflow';
import type { OperationStatus } from '../common/operations.ts';

export {
  type HostProgress,
  type HostState,
  OPERATIONS,
  type OperationKind,
  type OperationStatus,
} from '../common/operations.ts';

/** Workflow ID shared by every operation on a cluster: the server's ID uniqueness is the per-cluster lock. */
export function clusterWorkflowId(cluster: string): string {
  return `zke/${cluster}`;
}

/**
 * Memo key the API sets on every start: the time after which the start comes too late (the API stopped
 * waiting for Temporal and answered 503), so the operation must not run.
 */
export const NOT_AFTER = 'zkeNotAfter';

export interface ProvisionInput {
  cluster: string;
  revision: number;
}

export interface RemoveInput {
  cluster: string;
  /** Drop zke's record of the cluster without touching any host (a cluster that never came up). */
  forget?: boolean;
}

export interface UpgradeInput {
  cluster: string;
  revision: number;
}

export interface AdoptInput {
  cluster: string;
  revision: number;
  /** false: compare the hosts with zke's plan only; true: take the cluster over and apply the revision. */
  apply: boolean;
}

export interface RollbackInput {
  cluster: string;
  /** Revision to return to; default: the one before the current. */
  toRevision?: number;
  restoreSnapshot?: boolean;
  /** Who asked (token and its scope): recorded in the new revision's source. */
  requestedBy?: string;
}

export interface RotateCertificatesInput {
  cluster: string;
  services?: string[];
  ca?: boolean;
}

export interface RotateEncryptionKeyInput {
  cluster: string;
}

export interface SnapshotInput {
  cluster: string;
  name?: string;
}

export interface RestoreInput {
  cluster: string;
  snapshot: string;
}

export interface OperationResult {
  status: OperationStatus;
  /** Hosts skipped because they were unreachable (worker-only). */
  skippedHosts: string[];
  summary: string;
}

export const statusQuery = defineQuery<OperationStatus>('status');

/** Log attribute marking an operation event ("provision c1"): `npm start` shows these lines on its terminal. */
export const OPERATION_EVENT = 'operationEvent';
