// Every activity the worker registers. Workflows import this module's *type* only.
import { applyAddon } from './addons.ts';
import { deployHostFiles } from './certDeploy.ts';
import { waitEtcdHealthy } from './etcd.ts';
import { checkClusterHost, checkHost } from './hostsCheck.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { syncNodes } from './nodes.ts';
import { loadClusterLayout, recordOperation } from './operations.ts';
import { ensurePki } from './pki.ts';
import { cleanHost, clusterHosts, forgetCluster } from './remove.ts';
import { reconcileHost } from './reconcile.ts';

export const activities = {
  checkHost,
  checkClusterHost,
  loadClusterLayout,
  ensurePki,
  deployHostFiles,
  reconcileHost,
  waitEtcdHealthy,
  applyAddon,
  syncNodes,
  writeKubeconfig,
  recordOperation,
  cleanHost,
  clusterHosts,
  forgetCluster,
};

export type Activities = typeof activities;
