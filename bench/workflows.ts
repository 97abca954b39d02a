// Workflows of the benchmark worker: the product's own, plus a no-op loop (engine round trip) and the
// fan-out job compared with Ansible and an ssh loop (certificates + one container per host, bounded fan-out).
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { SshTarget } from '../activities/ssh/target.ts';
import type { PlannedContainer } from '../model/plan/types.ts';
import { mapBounded, rootMessage } from '../workflows/concurrency.ts';
import { shortStep } from '../workflows/options.ts';
import type { BenchActivities } from './activities.ts';

export * from '../workflows/index.ts';

const act = proxyActivities<BenchActivities>(shortStep);

/** Runs `count` no-op activities one after the other. */
export async function noopLoop(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await act.benchNoop();
}

export interface FanOutHost {
  target: SshTarget;
  /** Local directory with this host's certificate files. */
  localDir: string;
}

export interface FanOutInput {
  hosts: FanOutHost[];
  remoteDir: string;
  container: PlannedContainer;
  /** Hosts in flight at once. */
  limit: number;
}

export interface FanOutHostResult {
  host: string;
  written: number;
  unchanged: number;
  container: string;
}

/** Per host: sync the certificate files, then reconcile the container; at most `limit` hosts at once. */
export async function fanOutJob(input: FanOutInput): Promise<FanOutHostResult[]> {
  const results = await mapBounded(input.hosts, input.limit, async ({ target, localDir }) => {
    const files = await act.syncStagedFiles({ target, localDir, remoteDir: input.remoteDir });
    const action = await act.reconcileBenchContainer({ target, container: input.container });
    return {
      host: target.host,
      written: files.written.length,
      unchanged: files.unchanged.length,
      container: action.action,
    };
  });
  const failed = results.flatMap((r, i) =>
    r.ok ? [] : [`${input.hosts[i]!.target.host}: ${rootMessage(r.error)}`],
  );
  if (failed.length)
    throw ApplicationFailure.nonRetryable(`fan-out failed on ${failed.length} host(s): ${failed.join('; ')}`);
  return results.flatMap((r) => (r.ok ? [r.value] : []));
}
