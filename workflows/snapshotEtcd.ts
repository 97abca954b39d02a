// SnapshotEtcd: a one-shot `etcdctl snapshot save` on every etcd host, checksummed and listed in the store,
// then uploaded to S3 when the spec configures it. The upgrade takes one first, with the same code.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { SnapshotFile } from '../activities/snapshot.ts';
import { eachHost, stepFailure } from './hostSteps.ts';
import { useAppliedRevision } from './lifecycle.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { runOperation } from './provisionCluster.ts';
import type { OperationResult, SnapshotInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);

export const SNAPSHOT_STEPS = ['snapshot etcd'] as const;

export async function snapshotEtcd(input: SnapshotInput): Promise<OperationResult> {
  return runOperation('snapshot', input.cluster, undefined, SNAPSHOT_STEPS, async (p) => {
    const revision = await useAppliedRevision(p, input.cluster);
    const name = input.name ?? snapshotName('snapshot');
    return p.step('snapshot etcd', () => takeSnapshot(p, { cluster: input.cluster, revision }, name));
  });
}

/** `<prefix>-20250102t030405z` from the workflow's clock (deterministic on replay). */
export function snapshotName(prefix: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'z')
    .replace(/[-:]/g, '')
    .toLowerCase();
  return `${prefix}-${stamp}`;
}

/** Snapshots every etcd host; fails only when no host could take one. Returns the hosts that could not. */
export async function takeSnapshot(
  p: Progress,
  ref: { cluster: string; revision: number },
  name: string,
): Promise<string[]> {
  const layout = await local.loadClusterLayout(ref);
  const hosts = layout.hosts.filter((h) => h.roles.includes('etcd')).map((h) => h.name);
  const files: SnapshotFile[] = [];
  const failures = await eachHost(p, 'snapshot etcd', hosts, layout.maxParallelHosts, async (host) => {
    const file = await long.snapshotEtcdHost({ ...ref, host, name });
    files.push(file);
    p.event(`${host}: ${file.path} (${file.size} bytes, sha256 ${file.sha256.slice(0, 12)})`);
  });
  if (!files.length) throw stepFailure('snapshot etcd', failures);
  files.sort((a, b) => hosts.indexOf(a.host) - hosts.indexOf(b.host));
  await short.recordSnapshot({ ...ref, name, createdAt: new Date().toISOString(), files });
  p.event(`snapshot ${name} recorded`);
  await uploadToS3(p, ref, name, files[0]!.host);
  return failures.map((f) => f.host);
}

/**
 * With backup_config.s3backupconfig: the snapshot goes to S3, with the rolling snapshots S3 lacks (from the
 * host that took this one), then S3's retention is applied.
 */
async function uploadToS3(
  p: Progress,
  ref: { cluster: string; revision: number },
  name: string,
  host: string,
): Promise<void> {
  const url = await long.uploadSnapshot({ ...ref, name });
  if (!url) return;
  p.event(`snapshot ${name} uploaded to ${url}`);
  for (const key of await long.uploadRollingSnapshots({ ...ref, host })) p.event(`${host}: ${key} uploaded`);
  const pruned = await short.pruneS3Snapshots({ ...ref, keep: name });
  for (const key of pruned) p.event(`retention: ${key} deleted from S3`);
}
