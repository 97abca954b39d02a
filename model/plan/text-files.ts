// Texts that files reference by name. They can hold secrets, so only the deploying activity renders them.
import type { ClusterSpec } from '../spec/types.ts';
import {
  ADMISSION_CONFIG_TEXT,
  AUDIT_POLICY_TEXT,
  admissionConfiguration,
  ENCRYPTION_CONFIG_TEXT,
  type EncryptionKey,
  generatedEncryptionConfig,
} from './apiserver-config.ts';
import { KUBELET_DOCKER_CONFIG_TEXT } from './files.ts';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 63),
        0x80 | ((code >> 6) & 63),
        0x80 | (code & 63),
      );
  }
  return bytes;
}

/** Base64 of the UTF-8 bytes of `text` (pure; workflows cannot use Buffer). */
export function base64(text: string): string {
  const bytes = utf8(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = bytes.slice(i, i + 3);
    const n = (a << 16) | (b << 8) | c;
    const chars = [18, 12, 6, 0].map((shift) => BASE64[(n >> shift) & 63]);
    const pad = 3 - Math.min(3, bytes.length - i);
    out += chars.slice(0, 4 - pad).join('') + '='.repeat(pad);
  }
  return out;
}

/** Docker's config.json with the private registries' credentials, for kubelet's image pulls. */
function kubeletDockerConfig(spec: ClusterSpec): string {
  const auths = Object.fromEntries(
    spec.privateRegistries
      .filter((r) => r.user !== undefined)
      .map((r) => [r.url, { auth: base64(`${r.user}:${r.password?.value ?? ''}`) }]),
  );
  return `${JSON.stringify({ auths }, null, 2)}\n`;
}

/** What the texts need that is not in the spec: the secrets encryption keys, from the store. */
export interface TextSecrets {
  readonly encryptionKeys: readonly EncryptionKey[];
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function encryptionConfig(spec: ClusterSpec, secrets: TextSecrets): string {
  const custom = spec.services['kube-api'].secretsEncryption.customConfig;
  if (custom) return `${custom.value}\n`;
  if (!secrets.encryptionKeys.length) throw new Error('no secrets encryption key: run the certificates step');
  return json(generatedEncryptionConfig(secrets.encryptionKeys));
}

/** The content of a file whose content is `{kind: 'text', name}` (JSON, which the API server reads as YAML). */
export function renderTextFile(name: string, spec: ClusterSpec, secrets: TextSecrets): string {
  const api = spec.services['kube-api'];
  if (name === KUBELET_DOCKER_CONFIG_TEXT) return kubeletDockerConfig(spec);
  if (name === ENCRYPTION_CONFIG_TEXT) return encryptionConfig(spec, secrets);
  if (name === AUDIT_POLICY_TEXT) return json(api.auditLog.policy);
  if (name === ADMISSION_CONFIG_TEXT) return json(admissionConfiguration(api));
  throw new Error(`unknown text file "${name}"`);
}
