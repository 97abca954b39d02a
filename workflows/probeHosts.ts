// ProbeHosts: SSH to each host and report its hostname and Docker version (the smallest end-to-end path).
import { proxyActivities } from '@temporalio/workflow';
import type { HostFacts } from '../activities/hostsCheck.ts';
import type { Activities } from '../activities/index.ts';
import type { SshTarget } from '../activities/ssh/target.ts';
import { shortStep } from './options.ts';

const { checkHost } = proxyActivities<Activities>(shortStep);

export async function probeHosts(targets: SshTarget[]): Promise<HostFacts[]> {
  return Promise.all(targets.map((t) => checkHost(t)));
}
