// UpgradeCluster: apply a submitted revision to a running cluster with the rolling rules. An etcd snapshot is
// taken first and recorded as this upgrade's, so a rollback can restore it.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { UPGRADE_STEPS } from '../model/plan/steps.ts';
import { applyRevision } from './applyRevision.ts';
import { useAppliedRevision } from './lifecycle.ts';
import { shortStep } from './options.ts';
import { runOperation } from './provisionCluster.ts';
import { snapshotName, takeSnapshot } from './snapshotEtcd.ts';
import type { OperationResult, UpgradeInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);

export { UPGRADE_STEPS };

export async function upgradeCluster(input: UpgradeInput): Promise<OperationResult> {
  const { cluster, revision } = input;
  return runOperation('upgrade', cluster, revision, UPGRADE_STEPS, async (p) => {
    const from = await useAppliedRevision(p, cluster);
    p.status.revision = revision;
    await short.planUpgrade({ cluster, revision }); // a refused change fails before anything is touched
    const snapshot = snapshotName(`pre-upgrade-r${revision}`);
    await p.step('etcd snapshot', async () => {
      await takeSnapshot(p, { cluster, revision: from }, snapshot);
      await short.recordUpgradeSnapshot({ cluster, revision, fromRevision: from, snapshot });
    });
    return applyRevision(p, { cluster, revision });
  });
}
