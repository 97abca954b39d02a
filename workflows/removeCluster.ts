// RemoveCluster (`zke remove`): clean every host of the cluster's containers and directories, then forget it.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { onEveryHost } from './hostSteps.ts';
import { longStep, shortStep } from './options.ts';
import { runOperation } from './provisionCluster.ts';
import type { OperationResult, RemoveInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);

export const REMOVE_STEPS = ['clean hosts', 'forget state'] as const;

export async function removeCluster(input: RemoveInput): Promise<OperationResult> {
  return runOperation('remove', input.cluster, undefined, REMOVE_STEPS, async (p) => {
    const hosts = await short.clusterHosts(input);
    await p.step('clean hosts', () =>
      onEveryHost(
        p,
        'clean hosts',
        hosts.map((h) => h.name),
        50,
        (host) => long.cleanHost({ cluster: input.cluster, host }),
      ),
    );
    await p.step('forget state', () => short.forgetCluster(input));
    return [];
  });
}
