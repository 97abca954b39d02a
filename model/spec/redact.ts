// Secrets (inline SSH keys, registry passwords) replaced by a marker, for logs, API answers and plan output.
import type { ClusterSpec, SecretValue } from './types.ts';

export const REDACTED = '(secret)';

function isSecret(value: unknown): value is SecretValue {
  return typeof value === 'object' && value !== null && (value as SecretValue).secret === true;
}

function redact(value: unknown): unknown {
  if (isSecret(value)) return { secret: true, value: REDACTED };
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/** A copy of the spec with every SecretValue's value replaced by "(secret)". */
export function redactSecrets(spec: ClusterSpec): ClusterSpec {
  return redact(spec) as ClusterSpec;
}
