// The real activities with those that touch hosts replaced by instant ones (host "slow" blocks until cancelled,
// host "refuses" fails its check for good): for tests of the API, CLI and UI that need real workflows but no lab.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { HostFacts } from '../../activities/hostsCheck.ts';
import { activities } from '../../activities/index.ts';

export const REFUSED = 'SSH to 10.0.0.9:22: connection refused';

async function checkClusterHost(input: { host: string }): Promise<HostFacts> {
  if (input.host === 'refuses') throw ApplicationFailure.nonRetryable(REFUSED, 'HostUnreachable');
  while (input.host === 'slow') {
    Context.current().heartbeat();
    await Context.current().sleep(200); // throws once the operation is cancelled
  }
  return {
    host: input.host,
    hostname: input.host,
    hostKey: '',
    dockerVersion: '28.0.0',
    dockerApiVersion: '1.48',
    kernel: '6.1',
    cpus: 2,
    memoryBytes: 2 ** 32,
  };
}

const instant = (result: unknown) => async () => result;

export const fakeHosts = {
  ...activities,
  checkClusterHost,
  deployHostFiles: instant({ written: [], unchanged: [] }),
  reconcileHost: instant({ created: [], replaced: [], unchanged: [], removed: [] }),
  waitEtcdHealthy: instant({ members: ['n1'] }),
  applyAddon: instant({ applied: true }),
  syncNodes: instant({ nodes: 1 }),
} as unknown as typeof activities;
