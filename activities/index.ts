// Every activity the worker registers, built with their deps (store, clock, SSH sessions: ./deps.ts).
// Workflows import this module's *type* only.
import { applyAddon, pruneAddon } from './addons.ts';
import { deployHostFiles } from './certDeploy.ts';
import { type ActivityDeps, withDeps } from './deps.ts';
import { restoreEncryptionKeys, rewriteSecrets, stageEncryptionKey } from './encryptionKey.ts';
import { waitEtcdHealthy } from './etcd.ts';
import { addEtcdMember, removeEtcdMember } from './etcdMembers.ts';
import { checkClusterHost, checkHost } from './hostsCheck.ts';
import { loadImageArchive } from './images.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { appliedRevision, certificateExpiry, recordScheduledRun } from './lifecycleState.ts';
import { cordonNode, deleteNode, drainNode, uncordonNode, waitNodeReady } from './nodeLifecycle.ts';
import { syncNodes } from './nodes.ts';
import { loadClusterLayout, recordAdoption, recordOperation } from './operations.ts';
import { ensurePki } from './pki.ts';
import { closePortListeners, openPortListeners, probeHostPorts } from './portCheck.ts';
import { reconcileHost } from './reconcile.ts';
import { cleanHost, clusterHosts, forgetCluster } from './remove.ts';
import { distributeSnapshot, restoreEtcdData, verifySnapshotFile } from './restore.ts';
import { prepareRollback, recordUpgradeSnapshot, restorePkiOf } from './revisions.ts';
import {
  pendingChanges,
  removeUnplannedContainers,
  restartContainers,
  startContainers,
  stopContainers,
} from './rolling.ts';
import { deleteSystemPods, planRotation } from './rotation.ts';
import { recordSnapshot, snapshotEtcdHost } from './snapshot.ts';
import { locateSnapshot, pruneS3Snapshots, uploadRollingSnapshots, uploadSnapshot } from './snapshotS3.ts';
import { saveStateCopy } from './stateCopy.ts';
import { planUpgrade } from './upgradePlan.ts';

const activityFunctions = {
  checkHost,
  checkClusterHost,
  loadClusterLayout,
  openPortListeners,
  probeHostPorts,
  closePortListeners,
  ensurePki,
  deployHostFiles,
  reconcileHost,
  waitEtcdHealthy,
  applyAddon,
  pruneAddon,
  syncNodes,
  writeKubeconfig,
  recordOperation,
  recordAdoption,
  cleanHost,
  clusterHosts,
  forgetCluster,
  // day-2 lifecycle
  appliedRevision,
  certificateExpiry,
  recordScheduledRun,
  planUpgrade,
  pendingChanges,
  restartContainers,
  stopContainers,
  startContainers,
  removeUnplannedContainers,
  cordonNode,
  drainNode,
  uncordonNode,
  waitNodeReady,
  deleteNode,
  addEtcdMember,
  removeEtcdMember,
  snapshotEtcdHost,
  recordSnapshot,
  uploadSnapshot,
  uploadRollingSnapshots,
  pruneS3Snapshots,
  locateSnapshot,
  distributeSnapshot,
  verifySnapshotFile,
  restoreEtcdData,
  planRotation,
  deleteSystemPods,
  stageEncryptionKey,
  rewriteSecrets,
  restoreEncryptionKeys,
  prepareRollback,
  restorePkiOf,
  recordUpgradeSnapshot,
  loadImageArchive,
  saveStateCopy,
};

export type Activities = typeof activityFunctions;

/** The activities, each run with `deps`: the worker passes the real ones, tests their fakes. */
export function createActivities(deps: ActivityDeps): Activities {
  return withDeps(deps, activityFunctions);
}
