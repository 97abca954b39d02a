// AdoptCluster (`zke adopt`): a running cluster zke does not manage yet (built by RKE, or by zke and then
// forgotten), taken over in place with the certificates of its state file. Every host is checked (its SSH host key
// pinned on first contact) and its containers compared with zke's plan for the spec taken as running: what would
// be replaced, and why. That comparison is the whole operation unless `apply`: then zke records the cluster as
// running the revision and applies it as an upgrade does (applyRevision), each host only as far as it differs.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { ADOPT_APPLY_STEPS, ADOPT_STEPS } from '../model/plan/steps.ts';
import { applyRevision } from './applyRevision.ts';
import { onEveryHost } from './hostSteps.ts';
import { localStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { checkHosts, runOperation } from './provisionCluster.ts';
import type { AdoptInput, OperationResult } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const local = proxyActivities<Activities>(localStep);

export { ADOPT_STEPS };

export async function adoptCluster(input: AdoptInput): Promise<OperationResult> {
  const { cluster, revision, apply } = input;
  const steps = apply ? ADOPT_APPLY_STEPS : ADOPT_STEPS;
  // a comparison records no revision: zke does not manage the cluster after it
  return runOperation('adopt', cluster, apply ? revision : undefined, steps, async (p) => {
    const ref = { cluster, revision };
    const layout = await local.loadClusterLayout(ref);
    let skipped: string[] = [];
    await p.step('check hosts', async () => {
      skipped = await checkHosts(p, layout);
    });
    if (skipped.length)
      throw new Error(`hosts [${skipped.join(', ')}] did not answer: adopt needs every host`);
    let losses: string[] = [];
    await p.step('compare containers', async () => {
      losses = await compare(p, ref, layout);
    });
    if (!apply) return [];
    // refused before anything changes: the pods would lose the API until kubelet renews their tokens
    if (losses.length) throw new Error(`adopt refused, nothing changed: ${losses[0]}`);
    await p.step('take over', () => short.recordAdoption(ref));
    return applyRevision(p, ref);
  });
}

/**
 * Each host's containers against zke's plan: an event per host, and one counting what would change. Returns
 * why a host's planned kube-apiserver would refuse the pods' tokens (one line per such host).
 */
async function compare(
  p: Progress,
  ref: { cluster: string; revision: number },
  layout: { hosts: { name: string }[]; maxParallelHosts: number },
): Promise<string[]> {
  let changes = 0;
  let rkes = 0;
  const losses: string[] = [];
  await onEveryHost(
    p,
    'compare containers',
    layout.hosts.map((h) => h.name),
    layout.maxParallelHosts,
    async (host) => {
      const pending = await short.pendingChanges({
        ...ref,
        host,
        planes: ['etcd', 'controlplane', 'worker'],
        certs: [],
        adopting: true,
      });
      changes += pending.changes.length;
      rkes += pending.changes.filter((c) => c.includes("RKE's")).length;
      p.event(
        `${host}: ${pending.changes.length ? pending.changes.join('; ') : 'as planned, nothing to replace'}`,
      );
      if (pending.tokenLoss) {
        losses.push(`${host}: ${pending.tokenLoss}`);
        p.event(`${host}: ${pending.tokenLoss}`);
      }
    },
  );
  p.event(
    changes
      ? `adopt: ${changes} container change(s) on taking over (listed above${rkes ? `; ${rkes} of RKE's containers replaced or removed` : ''})`
      : 'adopt: every container is as zke plans it, nothing to replace',
  );
  return losses;
}
