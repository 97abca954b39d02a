// The real activities with those that touch hosts replaced by instant ones (host "slow" blocks until cancelled,
// host "refuses" fails its check for good): for tests of the API, CLI and UI that need real workflows but no lab.
// Each stand-in has its activity's own type, so a change to what an activity takes or returns breaks the
// typecheck here instead of drifting.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { realDeps } from '../../activities/deps.ts';
import type { HostFacts } from '../../activities/hostsCheck.ts';
import { type Activities, createActivities } from '../../activities/index.ts';

export const REFUSED = 'SSH to 10.0.0.9:22: connection refused';

/** What a check of a healthy host finds. */
export function healthyHost(host: string): HostFacts {
  return {
    host,
    hostname: host,
    hostKey: '',
    dockerVersion: '28.0.0',
    dockerApiVersion: '1.48',
    kernel: '6.1',
    cpus: 2,
    memoryBytes: 2 ** 32,
  };
}

const checkClusterHost: Activities['checkClusterHost'] = async (input) => {
  if (input.host === 'refuses') throw ApplicationFailure.nonRetryable(REFUSED, 'HostUnreachable');
  while (input.host === 'slow') {
    Context.current().heartbeat();
    await Context.current().sleep(200); // throws once the operation is cancelled
  }
  return healthyHost(input.host);
};

const openPortListeners: Activities['openPortListeners'] = async ({ host }) => ({ host, listening: [] });
const probeHostPorts: Activities['probeHostPorts'] = async ({ host }) => ({ host, probed: 0 });
const closePortListeners: Activities['closePortListeners'] = async () => {};
const deployHostFiles: Activities['deployHostFiles'] = async () => ({ written: [], unchanged: [] });
const reconcileHost: Activities['reconcileHost'] = async ({ host, plane }) => ({ host, plane, actions: [] });
const waitEtcdHealthy: Activities['waitEtcdHealthy'] = async ({ hosts }) => ({ members: hosts ?? ['n1'] });
const applyAddon: Activities['applyAddon'] = async ({ addon }) => ({ addon, objects: 0, changed: false });
const syncNodes: Activities['syncNodes'] = async ({ hosts }) => ({ nodes: hosts?.length ?? 1 });
const saveStateCopy: Activities['saveStateCopy'] = async () => ({ saved: [], failed: [] });

export const fakeHosts: Activities = {
  ...createActivities(realDeps()),
  checkClusterHost,
  openPortListeners,
  probeHostPorts,
  closePortListeners,
  deployHostFiles,
  reconcileHost,
  waitEtcdHealthy,
  applyAddon,
  syncNodes,
  saveStateCopy,
};
