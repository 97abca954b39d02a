// RemoveCluster (`zke remove`): clean every host of the cluster's containers and directories, then forget it.
// With `forget` (`zke remove --forget`) no host is touched: only zke's record of the cluster is dropped.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { eachHost, stepFailure } from './hostSteps.ts';
import { longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { runOperation } from './provisionCluster.ts';
import type { OperationResult, RemoveInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);

export const REMOVE_STEPS = ['clean hosts', 'forget state'] as const;

/** Ends the message of a failed cleaning: a cluster whose hosts cannot be reached can still be forgotten. */
export const forgetHint = (cluster: string) =>
  `to forget the cluster without touching its hosts: zke remove --forget, or DELETE /v1/clusters/${cluster}?forget=true`;

export async function removeCluster(input: RemoveInput): Promise<OperationResult> {
  return runOperation('remove', input.cluster, undefined, REMOVE_STEPS, async (p) => {
    const hosts = input.forget ? [] : await short.clusterHosts(input);
    await p.step('clean hosts', async () => {
      if (input.forget) p.event('hosts not touched (forget)');
      else await cleanHosts(p, input.cluster, hosts);
    });
    await p.step('forget state', () => short.forgetCluster(input));
    return [];
  });
}

async function cleanHosts(p: Progress, cluster: string, hosts: { name: string }[]): Promise<void> {
  const names = hosts.map((h) => h.name);
  const failures = await eachHost(p, 'clean hosts', names, 50, (host) => long.cleanHost({ cluster, host }));
  if (failures.length) throw stepFailure('clean hosts', failures, forgetHint(cluster));
}
