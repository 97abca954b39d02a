// Small shared pieces of the day-2 workflows.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { shortStep } from './options.ts';
import type { Progress } from './progress.ts';

const short = proxyActivities<Activities>(shortStep);

/** The cluster's applied revision, which the operation then runs on (and records). */
export async function useAppliedRevision(p: Progress, cluster: string): Promise<number> {
  const revision = await short.appliedRevision({ cluster });
  p.status.revision = revision;
  return revision;
}
