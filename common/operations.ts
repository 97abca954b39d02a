// The cluster operations and the progress each reports: plain data shared by workflows (which report it),
// activities (which record it), the API and the CLI (which show it).

export const OPERATIONS = [
  'provision',
  'upgrade',
  'rollback',
  'rotate-certificates',
  'rotate-encryption-key',
  'snapshot',
  'restore',
  'remove',
  'load-images',
  'adopt',
] as const;
export type OperationKind = (typeof OPERATIONS)[number];

export type HostState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface HostProgress {
  state: HostState;
  step: string;
  error?: string;
}

export interface OperationStatus {
  cluster: string;
  operation: OperationKind;
  revision?: number;
  phase: 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** Current step name as shown in the UI, e.g. "etcd plane". */
  step: string;
  stepsDone: string[];
  stepsTotal: number;
  hosts: Record<string, HostProgress>;
  /** Last progress lines, newest last (bounded). */
  events: string[];
  incomplete?: string[];
  error?: string;
}
