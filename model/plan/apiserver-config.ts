// kube-apiserver's hardening as one pure function of the spec: the flags, binds and env it adds to the API
// server and the files those flags name (secrets encryption, audit policy, admission configuration).
import { canonicalJson, fnv1a64 } from '../addons/fingerprint.ts';
import type { ClusterSpec, ConfigObject, KubeApiOptions, PodSecurityLevel } from '../spec/types.ts';
import type { FlagMap } from './flags.ts';
import { hostPath, KUBERNETES_DIR, SSL_DIR } from './paths.ts';
import type { PlannedFile } from './types.ts';

export const ENCRYPTION_CONFIG_TEXT = 'encryption-config';
export const AUDIT_POLICY_TEXT = 'audit-policy';
export const ADMISSION_CONFIG_TEXT = 'admission-config';

/** Where RKE keeps them, so a cluster taken over keeps its paths. */
export const ENCRYPTION_CONFIG_FILE = `${SSL_DIR}/encryption.yaml`;
const AUDIT_POLICY_FILE = `${KUBERNETES_DIR}/audit-policy.yaml`;
const ADMISSION_CONFIG_FILE = `${KUBERNETES_DIR}/admission.yaml`;

/** The namespaces a restricted cluster exempts: zke's addons run in kube-system (as RKE's defaults). */
export const POD_SECURITY_EXEMPT_NAMESPACES = ['kube-system', 'ingress-nginx'];

const DEFAULT_EVENT_RATE_LIMIT: ConfigObject = {
  apiVersion: 'eventratelimit.admission.k8s.io/v1alpha1',
  kind: 'Configuration',
  limits: [{ type: 'Server', qps: 5000, burst: 20000 }],
};

/** A key of the generated EncryptionConfiguration (kept in the store, never in the spec or the plan). */
export interface EncryptionKey {
  readonly name: string;
  /** Base64 of 32 random bytes. */
  readonly secret: string;
}

/** The stages of a key rotation that change the keys (model/plan/steps.ts KEY_ROTATION_STEPS). */
export type KeyRotationStage = 'new key readable' | 'new key writes' | 'old key dropped';

/** The keys of a rotation stage from `old` to `next`, the writing one first. */
export function rotationKeys(
  stage: KeyRotationStage,
  old: EncryptionKey,
  next: EncryptionKey,
): EncryptionKey[] {
  if (stage === 'new key readable') return [old, next];
  return stage === 'new key writes' ? [next, old] : [next];
}

/** Why a cluster's applied spec has no key of zke's to rotate (`hasKey`: the store holds one), or undefined. */
export function keyRotationRefusal(cluster: string, spec: ClusterSpec, hasKey: boolean): string | undefined {
  const { enabled, customConfig } = spec.services['kube-api'].secretsEncryption;
  if (!enabled)
    return `cluster ${cluster} does not encrypt Secrets (secrets_encryption_config.enabled is off)`;
  if (customConfig)
    return `cluster ${cluster} encrypts Secrets with its own custom_config: rotate its keys there (add the new key second, up; move it first, up; rewrite the Secrets; drop the old key, up)`;
  if (!hasKey) return `cluster ${cluster} has no encryption key yet (run zke up first)`;
  return undefined;
}

export interface ApiserverHardening {
  readonly flags: FlagMap;
  readonly binds: readonly string[];
  readonly env: readonly string[];
  /** Admission plugins enabled on top of the version's defaults. */
  readonly plugins: readonly string[];
  /** Files every controlplane host holds. */
  readonly files: readonly PlannedFile[];
}

interface ConfigFile {
  readonly text: string;
  readonly path: string;
  readonly flags: FlagMap;
}

function podSecurityPlugin(level: PodSecurityLevel): ConfigObject {
  const defaults =
    level === 'restricted'
      ? {
          enforce: level,
          'enforce-version': 'latest',
          audit: level,
          'audit-version': 'latest',
          warn: level,
          'warn-version': 'latest',
        }
      : { enforce: level, 'enforce-version': 'latest' };
  const exemptions = level === 'restricted' ? { namespaces: POD_SECURITY_EXEMPT_NAMESPACES } : {};
  return {
    name: 'PodSecurity',
    configuration: {
      apiVersion: 'pod-security.admission.config.k8s.io/v1',
      kind: 'PodSecurityConfiguration',
      defaults,
      exemptions,
    },
  };
}

/** The user's AdmissionConfiguration, plus PodSecurity and EventRateLimit where it does not configure them. */
export function admissionConfiguration(api: KubeApiOptions): ConfigObject | undefined {
  const given = api.admissionConfiguration;
  const plugins = [...((given?.plugins as ConfigObject[] | undefined) ?? [])];
  const has = (name: string) => plugins.some((p) => p.name === name);
  if (api.podSecurity && !has('PodSecurity')) plugins.push(podSecurityPlugin(api.podSecurity));
  if (api.eventRateLimit.enabled && !has('EventRateLimit'))
    plugins.push({
      name: 'EventRateLimit',
      configuration: api.eventRateLimit.configuration ?? DEFAULT_EVENT_RATE_LIMIT,
    });
  if (!given && plugins.length === 0) return undefined;
  return { apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AdmissionConfiguration', ...given, plugins };
}

/** zke's EncryptionConfiguration: Secrets sealed by secretbox with the stored keys (first one writes), and
 *  readable when still in plain text (identity last), so turning encryption on needs no rewrite first. */
export function generatedEncryptionConfig(keys: readonly EncryptionKey[]): ConfigObject {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [{ resources: ['secrets'], providers: [{ secretbox: { keys } }, { identity: {} }] }],
  };
}

function auditFiles(api: KubeApiOptions): ConfigFile[] {
  const log = api.auditLog;
  if (!log.enabled) return [];
  const flags = {
    'audit-log-path': log.path,
    'audit-log-maxage': String(log.maxAge),
    'audit-log-maxbackup': String(log.maxBackup),
    'audit-log-maxsize': String(log.maxSize),
    'audit-log-format': log.format,
    'audit-policy-file': AUDIT_POLICY_FILE,
  };
  return [{ text: AUDIT_POLICY_TEXT, path: AUDIT_POLICY_FILE, flags }];
}

function configFiles(api: KubeApiOptions): ConfigFile[] {
  const encryption = api.secretsEncryption.enabled
    ? [
        {
          text: ENCRYPTION_CONFIG_TEXT,
          path: ENCRYPTION_CONFIG_FILE,
          flags: { 'encryption-provider-config': ENCRYPTION_CONFIG_FILE },
        },
      ]
    : [];
  const admission = admissionConfiguration(api)
    ? [
        {
          text: ADMISSION_CONFIG_TEXT,
          path: ADMISSION_CONFIG_FILE,
          flags: { 'admission-control-config-file': ADMISSION_CONFIG_FILE },
        },
      ]
    : [];
  return [...encryption, ...auditFiles(api), ...admission];
}

/** Changes whenever a config file the API server reads only at start changes, so the container is replaced.
 *  The generated encryption key is not in the spec: its file changes only with a rotation, which restarts. */
function configFingerprint(api: KubeApiOptions): string {
  return fnv1a64(
    canonicalJson({
      encryption: api.secretsEncryption.customConfig?.value ?? api.secretsEncryption.enabled,
      audit: api.auditLog.enabled ? api.auditLog.policy : false,
      admission: admissionConfiguration(api) ?? false,
    }),
  );
}

export function apiserverHardening(spec: ClusterSpec): ApiserverHardening {
  const api = spec.services['kube-api'];
  const files = configFiles(api);
  const plugins = [
    ...(api.alwaysPullImages ? ['AlwaysPullImages'] : []),
    ...(api.eventRateLimit.enabled ? ['EventRateLimit'] : []),
  ];
  const auditDir = api.auditLog.path.slice(0, api.auditLog.path.lastIndexOf('/'));
  return {
    flags: Object.assign({}, ...files.map((f) => f.flags)),
    binds: api.auditLog.enabled ? [`${auditDir}:${auditDir}`] : [],
    env: files.length ? [`ZKE_APISERVER_CONFIG=${configFingerprint(api)}`] : [],
    plugins,
    files: files.map((f) => ({
      path: hostPath(spec.prefixPath, f.path),
      mode: 0o600,
      content: { kind: 'text', name: f.text },
    })),
  };
}
