// Activity option sets per step class: each has its own timeouts and retry policy.
import type { ActivityOptions } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES } from '../common/nonRetryable.ts';

const nonRetryableErrorTypes = [...NON_RETRYABLE_TYPES];

/** Quick remote checks and file writes. */
export const shortStep: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '20s',
    maximumAttempts: 6,
    nonRetryableErrorTypes,
  },
};

/** Image pulls, container starts with health waits, etcd joins. */
export const longStep: ActivityOptions = {
  startToCloseTimeout: '15m',
  heartbeatTimeout: '45s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 5,
    nonRetryableErrorTypes,
  },
};

/** Pure computation on the worker (PKI, plan). */
export const localStep: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes },
};

/** Host reachability probes: few attempts, so an unreachable worker is skipped in about a minute. */
export const probeStep: ActivityOptions = {
  startToCloseTimeout: '1m',
  heartbeatTimeout: '30s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '15s',
    maximumAttempts: 4,
    nonRetryableErrorTypes,
  },
};
