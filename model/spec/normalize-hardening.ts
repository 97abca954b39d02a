// RKE's API-server hardening keys under `services.kube-api` (zke: `core.kube-api`): secrets encryption, audit
// log, admission configuration, PodSecurity level, event rate limit; and the PodSecurityPolicy refusal.
import type { SpecContext } from './context.ts';
import { secret } from './normalize-nodes.ts';
import type { RawKubeApi } from './raw-schema.ts';
import * as rules from './rules.ts';
import {
  AUDIT_LOG_FORMATS,
  type AuditLog,
  type ConfigObject,
  type KubeApiOptions,
  POD_SECURITY_LEVELS,
} from './types.ts';

type Hardening = Pick<
  KubeApiOptions,
  'secretsEncryption' | 'auditLog' | 'admissionConfiguration' | 'podSecurity' | 'eventRateLimit'
>;

/** RKE's defaults: every request logged at Metadata level, 30 days, 10 files of 100 MB, JSON lines. */
export const DEFAULT_AUDIT_POLICY: ConfigObject = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  rules: [{ level: 'Metadata' }],
};
export const DEFAULT_AUDIT_LOG: AuditLog = {
  enabled: false,
  path: '/var/log/kube-audit/audit-log.json',
  maxAge: 30,
  maxBackup: 10,
  maxSize: 100,
  format: 'json',
  policy: DEFAULT_AUDIT_POLICY,
};

/** PodSecurityPolicy went away in this minor release. */
const PSP_REMOVED_MINOR = 25;

/** A config object must say which kind it is: `kind` as expected and an `apiVersion`. */
function checkKind(ctx: SpecContext, at: string, config: ConfigObject | undefined, kind: string): void {
  if (config === undefined) return;
  if (config.kind !== kind || typeof config.apiVersion !== 'string')
    ctx.error(
      at,
      `expected a ${kind} (apiVersion and kind: ${kind}), got kind ${JSON.stringify(config.kind)}`,
    );
}

function auditLog(ctx: SpecContext, at: string, given: RawKubeApi['audit_log']): AuditLog {
  const c = given?.configuration ?? {};
  const d = DEFAULT_AUDIT_LOG;
  const path = c.path ?? d.path;
  const problem = rules.absolutePath(path) ?? (path.lastIndexOf('/') === 0 ? 'needs a directory' : null);
  if (problem) ctx.error(`${at}.configuration.path`, `${JSON.stringify(path)}: ${problem}`);
  checkKind(ctx, `${at}.configuration.policy`, c.policy, 'Policy');
  return {
    enabled: given?.enabled ?? d.enabled,
    path,
    maxAge: ctx.int(`${at}.configuration.max_age`, c.max_age, 0, 36500, d.maxAge),
    maxBackup: ctx.int(`${at}.configuration.max_backup`, c.max_backup, 0, 10000, d.maxBackup),
    maxSize: ctx.int(`${at}.configuration.max_size`, c.max_size, 0, 1_000_000, d.maxSize),
    format: ctx.oneOf(
      `${at}.configuration.format`,
      c.format,
      AUDIT_LOG_FORMATS,
      'audit log format',
      d.format,
    ),
    policy: c.policy ?? d.policy,
  };
}

function refusePodSecurityPolicy(ctx: SpecContext, at: string, api: RawKubeApi, version: string): void {
  const minor = Number(/^v?1\.([0-9]+)/.exec(version)?.[1] ?? Number.NaN);
  if (api.pod_security_policy !== true || !(minor >= PSP_REMOVED_MINOR)) return;
  ctx.error(
    `${at}.pod_security_policy`,
    `PodSecurityPolicy was removed in Kubernetes 1.25 (this cluster runs ${version}): use pod_security_configuration (privileged or restricted) or a PodSecurity plugin in admission_configuration`,
  );
}

export function kubeApiHardening(ctx: SpecContext, at: string, api: RawKubeApi, version: string): Hardening {
  refusePodSecurityPolicy(ctx, at, api, version);
  const encryption = api.secrets_encryption_config;
  checkKind(
    ctx,
    `${at}.secrets_encryption_config.custom_config`,
    encryption?.custom_config,
    'EncryptionConfiguration',
  );
  checkKind(ctx, `${at}.admission_configuration`, api.admission_configuration, 'AdmissionConfiguration');
  const rateLimit = api.event_rate_limit;
  checkKind(ctx, `${at}.event_rate_limit.configuration`, rateLimit?.configuration, 'Configuration');
  const custom = encryption?.custom_config && secret(JSON.stringify(encryption.custom_config));
  const podSecurity =
    api.pod_security_configuration === undefined
      ? undefined
      : ctx.member(
          `${at}.pod_security_configuration`,
          api.pod_security_configuration,
          POD_SECURITY_LEVELS,
          'PodSecurity level',
        );
  return {
    secretsEncryption: { enabled: encryption?.enabled ?? false, ...(custom ? { customConfig: custom } : {}) },
    auditLog: auditLog(ctx, `${at}.audit_log`, api.audit_log),
    ...(api.admission_configuration ? { admissionConfiguration: api.admission_configuration } : {}),
    ...(podSecurity ? { podSecurity } : {}),
    eventRateLimit: {
      enabled: rateLimit?.enabled ?? false,
      ...(rateLimit?.configuration ? { configuration: rateLimit.configuration } : {}),
    },
  };
}
