// The lab's S3 server (`zlab.sh s3`: versitygw with TLS from its own CA): its settings, a client on it, the
// s3backupconfig block that points a cluster at it, and its backend directory (a bucket is a directory there).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '../../activities/s3/client.ts';
import { currentLab, lab } from './lab.ts';

export interface LabS3 {
  endpoint: string;
  bucket: string;
  region: string;
  accessKey: string;
  secretKey: string;
  ca: string;
  /** The object's file in versitygw's POSIX backend. */
  backendFile(key: string): string;
  client: S3Client;
}

/** Starts the lab's S3 server (once per lab) and reads what it wrote to $ZLAB_ROOT/s3/env. */
export async function labS3(): Promise<LabS3> {
  const started = await lab(['s3']);
  if (started.code !== 0) throw new Error(`zlab.sh s3 failed: ${started.stderr}`);
  const env = Object.fromEntries(
    readFileSync(path.join(currentLab().root, 's3', 'env'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const s3 = {
    endpoint: env.S3_ENDPOINT!,
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION!,
    accessKey: env.S3_ACCESS_KEY!,
    secretKey: env.S3_SECRET_KEY!,
    ca: readFileSync(env.S3_CA_FILE!, 'utf8'),
    backendFile: (key: string) => path.join(env.S3_DATA_DIR!, env.S3_BUCKET!, key),
  };
  return { ...s3, client: new S3Client({ ...s3, customCa: s3.ca }) };
}

/** RKE's `backup_config.s3backupconfig` for the lab's server; the endpoint as RKE writes it (host:port). */
export function s3BackupConfig(s3: LabS3, folder: string): Record<string, string> {
  return {
    endpoint: new URL(s3.endpoint).host,
    bucket_name: s3.bucket,
    folder,
    region: s3.region,
    access_key: s3.accessKey,
    secret_key: s3.secretKey,
    custom_ca: s3.ca,
  };
}
