// The secrets encryption keys of an adopted cluster, read from its state file's EncryptionConfiguration: zke
// keeps them as its own (the first one writes), so the API servers it reconfigures still read every Secret.
import { parse } from 'yaml';
import type { EncryptionKey } from '../plan/apiserver-config.ts';
import type { ClusterSpec } from '../spec/types.ts';

/**
 * The keys zke takes over with a cluster whose spec is `spec`: none unless it encrypts Secrets with zke's own
 * keys (enabled, no custom configuration); else those of the state's encryptionConfig, or why not.
 */
export function encryptionKeysToAdopt(
  spec: ClusterSpec,
  encryptionConfig: string | undefined,
): { keys?: EncryptionKey[] } | { problem: string } {
  const encryption = spec.services['kube-api'].secretsEncryption;
  if (!encryption.enabled || encryption.customConfig) return {};
  return adoptedEncryptionKeys(encryptionConfig);
}

/** Its keys, or why zke cannot take the configuration over (`problem`, saying what to do). */
export function adoptedEncryptionKeys(
  encryptionConfig: string | undefined,
): { keys: EncryptionKey[] } | { problem: string } {
  if (!encryptionConfig)
    return {
      problem:
        'the spec enables secrets_encryption_config but the state file has no encryptionConfig: the Secrets in etcd could not be read with a new key',
    };
  let doc: unknown;
  try {
    doc = parse(encryptionConfig);
  } catch (error) {
    return { problem: `encryptionConfig is not YAML: ${(error as Error).message}` };
  }
  const providers = (doc as { resources?: { providers?: Record<string, unknown>[] }[] })?.resources?.[0]
    ?.providers;
  const first = providers?.[0];
  if (!first) return { problem: 'encryptionConfig lists no provider for secrets' };
  const kind = Object.keys(first)[0];
  if (kind !== 'secretbox')
    return {
      problem: `the cluster encrypts Secrets with ${kind}, and zke writes secretbox: adopting it would leave them unreadable (not supported yet; decrypt them first, or keep RKE for this cluster)`,
    };
  const keys = (first.secretbox as { keys?: { name?: unknown; secret?: unknown }[] })?.keys ?? [];
  const valid = keys.filter(
    (k): k is EncryptionKey => typeof k.name === 'string' && typeof k.secret === 'string',
  );
  if (valid.length === 0 || valid.length !== keys.length)
    return { problem: 'encryptionConfig: every secretbox key needs a name and a secret' };
  return { keys: valid };
}
