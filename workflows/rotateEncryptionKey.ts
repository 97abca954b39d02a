// RotateEncryptionKey: the secrets encryption key replaced, Kubernetes' way. Every API server first reads a new
// key, then writes with it; every Secret is written back under it; then the old key goes. Each key change
// reaches the controlplane hosts one at a time. The steps are model/plan/steps.ts keyRotationPlanSteps: what the
// dry-run prints. Durable: a worker killed mid-way leaves a stored rotation the retry (or a new run) goes on with.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import {
  KEY_ROTATION_STEPS,
  type KeyRotationStepName,
  keyRotationPlanSteps,
  type PlanStep,
} from '../model/plan/steps.ts';
import { onStepHosts } from './hostSteps.ts';
import { useAppliedRevision } from './lifecycle.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { runOperation } from './provisionCluster.ts';
import type { OperationResult, RotateEncryptionKeyInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);

export { KEY_ROTATION_STEPS };

type Ref = { cluster: string; revision: number };

export async function rotateEncryptionKey(input: RotateEncryptionKeyInput): Promise<OperationResult> {
  const { cluster } = input;
  return runOperation('rotate-encryption-key', cluster, undefined, KEY_ROTATION_STEPS, async (p) => {
    const ref = { cluster, revision: await useAppliedRevision(p, cluster) };
    const steps = keyRotationPlanSteps(await local.loadClusterLayout(ref));
    for (const step of steps)
      await p.step(step.name, () =>
        step.name === 'rewrite secrets' ? rewrite(p, ref) : changeKeys(p, ref, step),
      );
    return [];
  });
}

/** The stage's keys stored, then on the step's hosts as it says (one at a time): encryption.yaml, API server restarted. */
async function changeKeys(p: Progress, ref: Ref, step: PlanStep<KeyRotationStepName>): Promise<void> {
  const stage = step.name as Exclude<KeyRotationStepName, 'rewrite secrets'>;
  const { keys } = await local.stageEncryptionKey({ ...ref, stage });
  p.event(`keys: ${keys.join(', ')} (the first one writes)`);
  await onStepHosts(p, step, step.hosts, async (host) => {
    await short.deployHostFiles({ ...ref, host });
    await long.restartContainers({ ...ref, host, containers: [...step.containers] });
  });
}

async function rewrite(p: Progress, ref: Ref): Promise<void> {
  const { rewritten, skipped } = await long.rewriteSecrets(ref);
  p.event(`${rewritten} Secret(s) written back under the new key; ${skipped} changed or deleted meanwhile`);
}
