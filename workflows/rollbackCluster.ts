// RollbackCluster: re-apply an earlier revision as a new one (history stays linear), with the certificates it
// ran with and, on request, the etcd snapshot the upgrade away from it took (with the encryption keys of its
// time); same rolling rules as an upgrade. After a failed upgrade the default target is the last applied
// revision, so one call repairs it.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { rollbackStepNames } from '../model/plan/steps.ts';
import { applyRevision } from './applyRevision.ts';
import { localStep, shortStep } from './options.ts';
import { runOperation } from './provisionCluster.ts';
import { restartKubelets, restoreKeys, restoreSnapshot } from './restoreEtcd.ts';
import type { OperationResult, RollbackInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const local = proxyActivities<Activities>(localStep);

export async function rollbackCluster(input: RollbackInput): Promise<OperationResult> {
  const { cluster } = input;
  const restore = input.restoreSnapshot === true;
  return runOperation('rollback', cluster, undefined, rollbackStepNames(restore), async (p) => {
    const target = await p.step('revision', () =>
      local.prepareRollback({
        cluster,
        toRevision: input.toRevision,
        runId: workflowInfo().runId,
        withSnapshot: restore,
        requestedBy: input.requestedBy,
      }),
    );
    p.status.revision = target.revision;
    p.event(`revision ${target.revision} = revision ${target.to} (applied before: ${target.from ?? 'none'})`);
    const ref = { cluster, revision: target.revision };
    const pki = await p.step('restore certificates', async () => {
      const restored = await short.restorePkiOf({ cluster, revision: target.to });
      p.event(
        restored.restored
          ? `certificates of revision ${target.to} restored (${restored.changed.length} differ)`
          : `no certificate copy for revision ${target.to}: the current certificates stay`,
      );
      // the snapshot's Secrets are sealed with the keys of its time; the current keys still read until it is back
      if (restore) await restoreKeys(p, ref, target.snapshot!, { keepCurrent: true });
      return restored;
    });
    const beforeEtcd = async () => {
      const snapshot = target.snapshot!;
      const stage = <T>(name: string, fn: () => Promise<T>) => {
        p.event(`restore ${snapshot}: ${name}`);
        return fn();
      };
      await p.step('restore etcd snapshot', () => restoreSnapshot(p, ref, snapshot, stage));
    };
    const incomplete = await applyRevision(p, ref, {
      certs: pki.changed,
      beforeEtcd: restore ? beforeEtcd : undefined,
    });
    if (restore) await p.step('restart kubelets', () => restartKubelets(p, ref));
    return incomplete;
  });
}
