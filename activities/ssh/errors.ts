// Classifies remote-access failures: permanent ones (bad key, host key mismatch) must not be retried.
import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE } from '../../common/nonRetryable.ts';
import type { SshTarget } from './target.ts';

export { NON_RETRYABLE };

export function permanent(type: string, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

/** `user@address:port` (an IPv6 address in brackets): what a message names so the user can try it. */
export function sshEndpoint(target: Pick<SshTarget, 'user' | 'address' | 'port'>): string {
  const address = target.address.includes(':') ? `[${target.address}]` : target.address;
  return `${target.user}@${address}:${target.port}`;
}

type Endpoint = Pick<SshTarget, 'host' | 'user' | 'address' | 'port'>;

/** Turns an ssh2 connection error into a retryable failure or a non-retryable one naming host and endpoint. */
export function classifySshError(target: Endpoint, err: Error & { level?: string; code?: string }): Error {
  if (err instanceof ApplicationFailure) return err;
  const where = `${target.host}: SSH`;
  const endpoint = sshEndpoint(target);
  if (err.level === 'client-authentication') {
    return permanent(NON_RETRYABLE.auth, `${where} authentication refused by ${endpoint} (${err.message})`);
  }
  if (/host key|verification failed/i.test(err.message)) {
    return permanent(
      NON_RETRYABLE.hostKey,
      `${where} host key of ${endpoint} does not match the pinned fingerprint`,
    );
  }
  const code = err.code && !err.message.includes(err.code) ? `${err.code}: ` : '';
  return ApplicationFailure.retryable(`${where} to ${endpoint}: ${code}${err.message}`, 'SshUnavailable');
}
