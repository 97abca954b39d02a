// RemoveCluster's host step: remove only what zke manages — its own containers (label io.zke.cluster) and
// the pods' containers kubelet started through cri-dockerd — then the directories zke created. Unrelated
// containers on the host keep running.

import { Context } from '@temporalio/activity';
import { ScheduleNotFoundError } from '@temporalio/client';
import { SCHEDULE_KINDS, scheduleId } from '../common/schedules.ts';
import { CLUSTER_LABEL, hostPath, SSL_DIR } from '../model/plan/index.ts';
import type { ClusterSpec } from '../model/spec/types.ts';
import { latestSpec, store } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { DockerApi } from './docker/api.ts';
import { listByLabel, removeContainer } from './docker/containers.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';

/** Directories zke (and the Kubernetes it runs) create on a node; relative to prefix_path where zke owns them. */
const ZKE_DIRS = ['/etc/kubernetes', '/var/lib/etcd', '/opt/zke', '/var/lib/zke'];
const KUBE_DIRS = [
  '/var/lib/kubelet',
  '/var/lib/cni',
  '/etc/cni',
  '/opt/cni',
  '/run/flannel',
  '/var/run/cri-dockerd.sock',
];
const POD_LABEL = 'io.kubernetes.pod.name';

// Fixed script (no spec value in it): unmount what kubelet mounted below its directory, deepest first.
const UNMOUNT_KUBELET =
  'awk \'$2 ~ "^/var/lib/kubelet/" {print $2}\' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done; true';

// Fixed script: flannel's VXLAN device (flannel.<VNI>) and the pods' bridge outlive their containers; the device
// holds 8472/udp, which the next cluster's port check on this host would refuse.
const DELETE_LINKS =
  'for l in $(ls /sys/class/net); do case $l in flannel.*|cni0) ip link delete "$l" || true ;; esac; done';

export interface RemoveHostResult {
  host: string;
  containersRemoved: string[];
}

/** `revision` finds a host that left the spec (default: the newest revision). */
export async function cleanHost(input: {
  cluster: string;
  host: string;
  revision?: number;
}): Promise<RemoveHostResult> {
  const spec = latestSpec(input.cluster, input.revision);
  const node = spec.nodes.find((n) => n.name === input.host);
  if (!node) return { host: input.host, containersRemoved: [] };
  return withHeartbeat((note) =>
    withSession(sshTarget(input.cluster, spec, node), async (session) => {
      const docker = dockerOf(session);
      // zke's own first: with kubelet and cri-dockerd gone, nothing starts a pod container again after the list
      const ours = await removeListed(docker, `${CLUSTER_LABEL}=${spec.clusterName}`, note);
      const pods = await removeListed(docker, POD_LABEL, note);
      await session.execRaw(UNMOUNT_KUBELET);
      const rm = await session.exec(['rm', '-rf', '--one-file-system', ...dirsOf(spec)]);
      if (rm.code !== 0) throw new Error(`${input.host}: cleaning directories failed: ${rm.stderr.trim()}`);
      await session.execRaw(DELETE_LINKS);
      return { host: input.host, containersRemoved: [...pods, ...ours] };
    }),
  );
}

async function removeListed(docker: DockerApi, label: string, note: (m: string) => void): Promise<string[]> {
  const names = await listByLabel(docker, label);
  for (const name of names) {
    note(`${docker.host}: remove ${name}`);
    await removeContainer(docker, name);
  }
  return names;
}

function dirsOf(spec: ClusterSpec): string[] {
  return [
    ...ZKE_DIRS.map((d) => hostPath(spec.prefixPath, d)),
    hostPath(spec.prefixPath, SSL_DIR),
    ...KUBE_DIRS,
  ];
}

/**
 * Forget the cluster: its Temporal Schedules (recurring rotation and snapshots, which would otherwise go on firing
 * for a cluster that is gone) and its store entries (revisions, PKI, state) are deleted.
 */
export async function forgetCluster(input: { cluster: string }): Promise<void> {
  const schedules = Context.current().client.schedule;
  for (const kind of SCHEDULE_KINDS) {
    await schedules
      .getHandle(scheduleId(input.cluster, kind))
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err; // none of that kind, or deleted by a previous attempt
      });
  }
  store().remove(input.cluster);
}

export async function clusterHosts(input: { cluster: string }): Promise<{ name: string; roles: string[] }[]> {
  return latestSpec(input.cluster).nodes.map((n) => ({ name: n.name, roles: [...n.roles] }));
}
