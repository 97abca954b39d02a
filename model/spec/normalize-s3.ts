// `backup_config.s3backupconfig` (RKE's key; `s3backup_config` too) -> S3BackupConfig, every error at once.
import type { SpecContext } from './context.ts';
import { secret } from './normalize-nodes.ts';
import type { RawS3Backup } from './raw-schema.ts';
import type { S3BackupConfig } from './types.ts';

const DEFAULT_REGION = 'us-east-1';

type RawBackup = { s3backupconfig?: RawS3Backup; s3backup_config?: RawS3Backup };

export function s3Backup(
  ctx: SpecContext,
  at: string,
  backup: RawBackup | undefined,
): S3BackupConfig | undefined {
  if (backup?.s3backupconfig && backup.s3backup_config)
    ctx.error(`${at}.s3backup_config`, 'use either s3backupconfig (RKE) or s3backup_config, not both');
  const key = backup?.s3backupconfig ? 's3backupconfig' : 's3backup_config';
  const raw = backup?.[key];
  if (!raw) return undefined;
  const path = `${at}.${key}`;
  const required = (field: keyof RawS3Backup, value: string | undefined) => {
    if (!value?.trim()) ctx.error(`${path}.${field}`, `${field} is required`);
    return value?.trim() ?? '';
  };
  if (raw.bucket_name !== undefined && raw.bucket !== undefined)
    ctx.error(`${path}.bucket`, 'use either bucket_name (RKE) or bucket, not both');
  const customCa = raw.custom_ca?.trim() || undefined;
  if (customCa && !customCa.includes('-----BEGIN CERTIFICATE-----'))
    ctx.error(`${path}.custom_ca`, 'not a PEM certificate (-----BEGIN CERTIFICATE-----)');
  return {
    endpoint: endpointUrl(ctx, `${path}.endpoint`, required('endpoint', raw.endpoint)),
    bucket: required(raw.bucket === undefined ? 'bucket_name' : 'bucket', raw.bucket ?? raw.bucket_name),
    folder: (raw.folder ?? '').replace(/^\/+|\/+$/g, ''),
    region: raw.region?.trim() || DEFAULT_REGION,
    accessKey: required('access_key', raw.access_key),
    secretKey: secret(required('secret_key', raw.secret_key)) ?? { secret: true, value: '' },
    ...(customCa ? { customCa: `${customCa}\n` } : {}),
  };
}

/** `host[:port]` (RKE's form) or an http(s) URL without a path -> `https://host[:port]`. */
function endpointUrl(ctx: SpecContext, path: string, given: string): string {
  if (!given) return '';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(given) ? given : `https://${given}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    ctx.error(path, `"${given}" is not a host[:port] or an https URL`);
    return '';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    ctx.error(path, `"${given}": the endpoint is reached over https (or http)`);
  if (url.pathname.replace(/\/+$/, '') || url.search || url.username)
    ctx.error(path, `"${given}": give the host and port only (the bucket is bucket_name)`);
  return `${url.protocol}//${url.host}`;
}
