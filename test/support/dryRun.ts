// The API's dry runs, computed here the way its routes compute them (same functions, the same store), so a lab
// test can list the steps before an operation and check afterwards, from the history, that exactly those ran.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { store } from '../../activities/clusterState.ts';
import { appliedOf, type PlanView, planChanges } from '../../api/service/plan.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { clusterWorkflowId } from '../../workflows/types.ts';
import { dryRunSteps, executedSteps } from './history.ts';

/** `POST /v1/clusters/{name}/plan` for `target`: against the applied revision, or a new cluster's. */
export function upDryRun(target: ClusterSpec): PlanView {
  const { state, spec } = appliedOf(store(), target.clusterName);
  return planChanges({ target, fromRevision: state.revision, applied: spec });
}

/** `zke plan` of a new cluster: the provisioning steps (provisionCluster runs them whatever was applied before). */
export const provisionDryRun = (target: ClusterSpec): PlanView => planChanges({ target });

/** The cluster's last workflow ran the steps `dry` listed, in order, each on the hosts it named. */
export async function assertRanAsListed(
  client: Client,
  cluster: string,
  dry: { phases: string[]; steps: string[] },
): Promise<void> {
  assert.deepEqual(
    await executedSteps(client, clusterWorkflowId(cluster)),
    dryRunSteps(dry),
    `the steps and the hosts of each, from the history, are those the dry run listed:\n${dry.steps.join('\n')}`,
  );
}
