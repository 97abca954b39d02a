// LoadImages (zke `loadimage`, the air-gap path): every image archive (a path on the worker machine) is
// streamed to every node's Docker, archives one after another, nodes in parallel; a node that has every image
// of an archive already is skipped.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { onEveryHost } from './hostSteps.ts';
import { longStep, shortStep } from './options.ts';
import { runOperation } from './provisionCluster.ts';
import type { OperationResult } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const upload = proxyActivities<Activities>({
  ...longStep,
  startToCloseTimeout: '60m',
  heartbeatTimeout: '2m',
});

export interface LoadImagesInput {
  cluster: string;
  /** Paths of `docker save` archives (tar or tar.gz) on the worker machine. */
  archives: string[];
  /** Default: every node of the newest revision. */
  hosts?: string[];
}

const PARALLEL_UPLOADS = 10;

export async function loadImages(input: LoadImagesInput): Promise<OperationResult> {
  return runOperation('load-images', input.cluster, undefined, ['load images'], async (p) => {
    const hosts = input.hosts ?? (await short.clusterHosts(input)).map((h) => h.name);
    await p.step('load images', () =>
      onEveryHost(p, 'load images', hosts, PARALLEL_UPLOADS, async (host) => {
        for (const archive of input.archives) {
          const r = await upload.loadImageArchive({ cluster: input.cluster, host, archive });
          p.event(`${host}: ${archive}: ${r.loaded ? 'loaded' : 'present already'} (${r.images.join(', ')})`);
        }
      }),
    );
    return [];
  });
}
