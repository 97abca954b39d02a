// Secrets in a spec (SecretValue: inline SSH keys, registry passwords) are stored apart from the revision:
// `revision/<n>` keeps a redacted spec, `secrets/<n>` maps each secret's JSON pointer to its value.
// Activities call `readRevisionSpec` to get the spec with its secrets back.

import { REDACTED } from '../model/spec/redact.ts';
import type { ClusterSpec } from '../model/spec/types.ts';
import type { ClusterStore } from './store.ts';

export interface Revision {
  number: number;
  spec: ClusterSpec;
  createdAt: string;
  source: string;
}

type Secrets = Record<string, string>;

function isSecretValue(value: unknown): value is { secret: true; value: string } {
  return typeof value === 'object' && value !== null && (value as { secret?: unknown }).secret === true;
}

/** A deep copy with every SecretValue's value replaced by REDACTED, and the secrets by JSON pointer. */
export function separateSecrets<T>(value: T): { redacted: T; secrets: Secrets } {
  const secrets: Secrets = {};
  const walk = (node: unknown, pointer: string): unknown => {
    if (isSecretValue(node)) {
      secrets[pointer] = node.value;
      return { ...node, value: REDACTED };
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${pointer}/${i}`));
    if (typeof node === 'object' && node !== null)
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, walk(v, `${pointer}/${escapeKey(k)}`)]),
      );
    return node;
  };
  return { redacted: walk(value, '') as T, secrets };
}

/** The inverse of separateSecrets. */
export function restoreSecrets<T>(redacted: T, secrets: Secrets): T {
  const copy = structuredClone(redacted) as unknown;
  for (const [pointer, value] of Object.entries(secrets)) {
    const target = pointer
      .split('/')
      .slice(1)
      .map(unescapeKey)
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], copy);
    if (isSecretValue(target)) (target as { value: string }).value = value;
  }
  return copy as T;
}

const escapeKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const unescapeKey = (key: string) => key.replaceAll('~1', '/').replaceAll('~0', '~');

/**
 * Stores a submitted spec as revision `number` (redacted) and its secrets under `secrets/<number>`; false, storing
 * nothing, when revision `number` exists already (another API replica submitted it a moment before).
 */
export function writeRevision(store: ClusterStore, cluster: string, revision: Revision): boolean {
  const { redacted, secrets } = separateSecrets(revision.spec);
  if (!store.create(cluster, `revision/${revision.number}`, { ...revision, spec: redacted })) return false;
  if (Object.keys(secrets).length > 0) store.write(cluster, `secrets/${revision.number}`, secrets);
  return true;
}

/** Removes revision `number` and its secrets. */
export function removeRevision(store: ClusterStore, cluster: string, number: number): void {
  store.delete(cluster, `revision/${number}`);
  store.delete(cluster, `secrets/${number}`);
}

/** The full spec of a revision, secrets included: for activities only, never for API responses. */
export function readRevisionSpec(
  store: ClusterStore,
  cluster: string,
  number: number,
): ClusterSpec | undefined {
  const revision = store.read<Revision>(cluster, `revision/${number}`);
  if (!revision) return undefined;
  return restoreSecrets(revision.spec, store.read<Secrets>(cluster, `secrets/${number}`) ?? {});
}
