// Activities only the benchmark worker registers: a no-op (engine round trip) and the fan-out job's two
// per-host steps, built on the product's own SFTP sync and container reconcile (not re-implemented here).

import fs from 'node:fs';
import path from 'node:path';
import { withHeartbeat } from '../activities/context.ts';
import { dockerOf, withSession } from '../activities/hostSession.ts';
import { type ContainerAction, reconcileContainer } from '../activities/reconcile.ts';
import { type RemoteFile, type SyncResult, syncFiles } from '../activities/ssh/files.ts';
import type { SshTarget } from '../activities/ssh/target.ts';
import type { PlannedContainer } from '../model/plan/types.ts';

export async function benchNoop(): Promise<void> {}

export interface StagedFilesInput {
  target: SshTarget;
  /** Local directory whose files (recursively) go to remoteDir, same relative paths and modes. */
  localDir: string;
  remoteDir: string;
}

function stagedFiles(localDir: string, remoteDir: string): RemoteFile[] {
  const entries = fs.readdirSync(localDir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const local = path.join(e.parentPath, e.name);
      return {
        path: path.posix.join(remoteDir, path.relative(localDir, local)),
        mode: fs.statSync(local).mode & 0o777,
        content: fs.readFileSync(local, 'utf8'),
      };
    });
}

export async function syncStagedFiles(input: StagedFilesInput): Promise<SyncResult> {
  const files = stagedFiles(input.localDir, input.remoteDir);
  return withHeartbeat(() => withSession(input.target, (s) => syncFiles(s, files)));
}

export async function reconcileBenchContainer(input: {
  target: SshTarget;
  container: PlannedContainer;
}): Promise<ContainerAction> {
  return withHeartbeat((note) =>
    withSession(input.target, (s) => reconcileContainer(dockerOf(s), input.container, note)),
  );
}

export const benchActivities = { benchNoop, syncStagedFiles, reconcileBenchContainer };
export type BenchActivities = typeof benchActivities;
