// Classifies remote-access failures: permanent ones (bad key, host key mismatch) must not be retried.
import { ApplicationFailure } from '@temporalio/common';

export const NON_RETRYABLE = {
  auth: 'SshAuthFailed',
  hostKey: 'HostKeyMismatch',
  docker: 'DockerUnsupported',
  spec: 'InvalidSpec',
  disk: 'HostDiskFull',
  imageMissing: 'ImageNotFound',
  registryDenied: 'RegistryAccessDenied',
  registryTls: 'RegistryTlsMismatch',
} as const;

export function permanent(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

/** Turns an ssh2 connection error into a retryable failure or a non-retryable one naming the host. */
export function classifySshError(host: string, err: Error & { level?: string; code?: string }): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err.level === 'client-authentication') {
    return permanent(NON_RETRYABLE.auth, `${host}: SSH authentication refused (${err.message})`);
  }
  if (/host key|verification failed/i.test(err.message)) {
    return permanent(NON_RETRYABLE.hostKey, `${host}: SSH host key does not match the pinned fingerprint`);
  }
  return ApplicationFailure.retryable(
    `${host}: SSH ${err.code ?? 'error'}: ${err.message}`,
    'SshUnavailable',
  );
}
