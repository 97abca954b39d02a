// RestoreEtcd: rebuild the etcd plane from a snapshot (a host's file, or else the S3 object downloaded to an
// etcd host). Stop the control plane and etcd everywhere, copy the snapshot file to the other etcd hosts and
// verify its checksum on each, restore every member with the full initial-cluster, start etcd and wait until
// it is healthy, then start the control plane and restart the kubelets.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { onEveryHost } from './hostSteps.ts';
import { useAppliedRevision } from './lifecycle.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { runOperation } from './provisionCluster.ts';
import { snapshotName } from './snapshotEtcd.ts';
import type { OperationResult, RestoreInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);

export const RESTORE_STEPS = [
  'find snapshot',
  'stop control plane',
  'stop etcd',
  'distribute snapshot',
  'restore data',
  'start etcd',
  'start control plane',
  'restart kubelets',
] as const;

const CONTROL_PLANE = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
const ETCD = ['etcd', 'etcd-rolling-snapshots'];

/** Runs one named part of the restore: a step of its own, or a line inside another operation's step. */
export type Stage = <T>(name: string, fn: () => Promise<T>) => Promise<T>;
type Ref = { cluster: string; revision: number };

export async function restoreEtcd(input: RestoreInput): Promise<OperationResult> {
  return runOperation('restore', input.cluster, undefined, RESTORE_STEPS, async (p) => {
    const ref = { cluster: input.cluster, revision: await useAppliedRevision(p, input.cluster) };
    const stage: Stage = (name, fn) => p.step(name, fn);
    await restoreSnapshot(p, ref, input.snapshot, stage);
    const hosts = await hostsByRole(ref);
    await stage('start control plane', async () => {
      // the Secrets restored are sealed with the keys of the snapshot's time: the API servers get those back
      if (await restoreKeys(p, ref, input.snapshot)) {
        await onEveryHost(p, 'start control plane', hosts.controlplane, hosts.limit, (host) =>
          short.deployHostFiles({ ...ref, host }),
        );
      }
      await onEveryHost(p, 'start control plane', hosts.controlplane, hosts.limit, (host) =>
        long.startContainers({ ...ref, host, containers: CONTROL_PLANE }),
      );
    });
    await stage('restart kubelets', () => restartKubelets(p, ref));
    return [];
  });
}

/** The snapshot's encryption keys in use again (activities/encryptionKey.ts); true when they changed. */
export async function restoreKeys(
  p: Progress,
  ref: Ref,
  snapshot: string,
  opts: { keepCurrent?: boolean } = {},
) {
  const keys = await short.restoreEncryptionKeys({ ...ref, snapshot, ...opts });
  if (keys.changed) p.event(`secrets encryption keys of ${snapshot} back in use: ${keys.keys.join(', ')}`);
  return keys.changed;
}

async function hostsByRole(ref: Ref) {
  const layout = await local.loadClusterLayout(ref);
  const withRole = (role: string) => layout.hosts.filter((h) => h.roles.includes(role)).map((h) => h.name);
  return {
    all: layout.hosts.map((h) => h.name),
    etcd: withRole('etcd'),
    controlplane: withRole('controlplane'),
    limit: layout.maxParallelHosts,
  };
}

/** Everything up to a healthy etcd plane from the snapshot; the control plane is left stopped. */
export async function restoreSnapshot(p: Progress, ref: Ref, name: string, stage: Stage): Promise<void> {
  const hosts = await hostsByRole(ref);
  const source = await stage('find snapshot', () =>
    long.locateSnapshot({ ...ref, name, etcdHosts: hosts.etcd }),
  );
  if (source.downloadedFrom) p.event(`${name} downloaded from ${source.downloadedFrom} to ${source.host}`);
  p.event(`restoring ${name} from ${source.host}:${source.path}`);
  await stage('stop control plane', () =>
    onEveryHost(p, 'stop control plane', hosts.controlplane, hosts.limit, (host) =>
      long.stopContainers({ ...ref, host, containers: CONTROL_PLANE }),
    ),
  );
  await stage('stop etcd', () =>
    onEveryHost(p, 'stop etcd', hosts.etcd, hosts.limit, (host) =>
      long.stopContainers({ ...ref, host, containers: ETCD }),
    ),
  );
  const copies = await stage('distribute snapshot', async () => {
    const files = await long.distributeSnapshot({
      ...ref,
      name,
      source: source.host,
      sourcePath: source.path,
      targets: hosts.etcd,
    });
    await onEveryHost(p, 'verify snapshot', hosts.etcd, hosts.limit, (host) =>
      short.verifySnapshotFile({ ...ref, host, path: pathOn(files, host), sha256: source.sha256 }),
    );
    return files;
  });
  const stamp = snapshotName('restore');
  await stage('restore data', () =>
    onEveryHost(p, 'restore data', hosts.etcd, hosts.limit, (host) =>
      long.restoreEtcdData({ ...ref, host, path: pathOn(copies, host), stamp, etcdHosts: hosts.etcd }),
    ),
  );
  await stage('start etcd', async () => {
    await onEveryHost(p, 'start etcd', hosts.etcd, hosts.limit, (host) =>
      long.startContainers({ ...ref, host, containers: ETCD }),
    );
    await long.waitEtcdHealthy(ref);
  });
}

function pathOn(files: { host: string; path: string }[], host: string): string {
  const found = files.find((f) => f.host === host);
  if (!found) throw new Error(`the snapshot was not copied to ${host}`);
  return found.path;
}

/** After etcd went back in time: every kubelet and kube-proxy starts over from the API. */
export async function restartKubelets(p: Progress, ref: Ref): Promise<void> {
  const hosts = await hostsByRole(ref);
  await onEveryHost(p, 'restart kubelets', hosts.all, hosts.limit, (host) =>
    long.restartContainers({ ...ref, host, containers: ['kubelet', 'kube-proxy'] }),
  );
}
