// Steps "etcd plane", "control plane", "worker plane": make a host run exactly the planned containers of one
// plane. RKE's reconcile: missing → create; stopped → start; different image/cmd/env/binds → replace (via
// old-<name>, so a crash mid-replace is repaired by the next attempt); equal → leave. Then a bounded health gate.

import { type CurrentContainer, containerReasons } from '../model/diff.ts';
import { buildPlan, CLUSTER_LABEL, PHASE_CONTAINERS } from '../model/plan/index.ts';
import type { PlannedContainer } from '../model/plan/types.ts';
import { currentState, loadSpec, nodeOf, planStateOf, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { DockerApi } from './docker/api.ts';
import {
  containerLogTail,
  createContainer,
  ensureImage,
  type InspectedContainer,
  imageEnv,
  inspectContainer,
  removeContainer,
  renameContainer,
  startContainer,
  stopContainer,
} from './docker/containers.ts';
import { runOneShot } from './docker/oneShot.ts';
import { waitContainerHealthy } from './health.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';
import { recordEtcdImage } from './lifecycleState.ts';

export type Plane = keyof typeof PHASE_CONTAINERS;

export interface ContainerAction {
  name: string;
  action: 'created' | 'started' | 'replaced' | 'unchanged';
  reasons: string[];
}

export interface ReconcileResult {
  host: string;
  plane: Plane;
  actions: ContainerAction[];
}

export function plannedFor(ref: RevisionRef, host: string, names: readonly string[]): PlannedContainer[] {
  const spec = loadSpec(ref);
  const state = currentState(ref.cluster);
  const plan = buildPlan(spec, planStateOf(state));
  const hostPlan = plan.hosts.find((h) => h.name === host);
  return (hostPlan?.containers ?? []).filter((c) => names.includes(c.name));
}

export async function reconcileHost(
  input: RevisionRef & { host: string; plane: Plane },
): Promise<ReconcileResult> {
  const spec = loadSpec(input);
  const target = sshTarget(input.cluster, spec, nodeOf(spec, input.host));
  return withHeartbeat((note) =>
    withSession(target, async (session) => {
      const docker = dockerOf(session, spec.privateRegistries);
      if (input.plane === 'etcd') await noteRunningEtcd(docker, input);
      const containers = plannedFor(input, input.host, PHASE_CONTAINERS[input.plane]);
      const actions: ContainerAction[] = [];
      for (const c of containers) {
        note(`${input.host}: ${c.name}`);
        actions.push(await reconcileContainer(docker, c, note));
        if (c.healthcheck) await waitContainerHealthy(session, c, input.cluster);
        if (c.name === 'etcd') recordEtcdImage(input.cluster, input.host, c.image);
      }
      return { host: input.host, plane: input.plane, actions };
    }),
  );
}

/**
 * The etcd image the host runs, recorded before its etcd is planned: the plan never downgrades etcd and moves it
 * one minor at a time, also on a cluster whose record predates these records (or an adopted one).
 */
async function noteRunningEtcd(docker: DockerApi, input: RevisionRef & { host: string }): Promise<void> {
  const running = await inspectContainer(docker, 'etcd');
  if (running) recordEtcdImage(input.cluster, input.host, running.image);
}

export async function reconcileContainer(
  docker: DockerApi,
  c: PlannedContainer,
  note: (p: string) => void,
): Promise<ContainerAction> {
  await removeContainer(docker, `old-${c.name}`); // a replace interrupted before; harmless when absent
  await ensureImage(docker, c.image, note);
  for (const image of c.pulls ?? []) await ensureImage(docker, image, note);
  const now = await inspectContainer(docker, c.name);
  if (!now) {
    await giveUserDirs(docker, c, note);
    await startContainer(docker, await createContainer(docker, c));
    return { name: c.name, action: 'created', reasons: [] };
  }
  const reasons = containerReasons(c, { ...asCurrent(now), imageEnv: await imageEnv(docker, c.image) });
  if (reasons.length) {
    await giveUserDirs(docker, c, note);
    await replaceContainer(docker, c);
    return { name: c.name, action: 'replaced', reasons: reasons.map((r) => `${r.field}: ${r.detail}`) };
  }
  if (!now.running || now.restarting) {
    await giveUserDirs(docker, c, note);
    await startContainer(docker, c.name);
    return { name: c.name, action: 'started', reasons: [`was ${now.status}`] };
  }
  return { name: c.name, action: 'unchanged', reasons: [] };
}

const GIVE_DIRS = 'set -eu; user=$1; shift; for d in "$@"; do chown -R "$user" "$d"; chmod 700 "$d"; done';

/**
 * A container that runs as a user (etcd with uid/gid) gets its host directories before it starts: created
 * (by Docker, for the bind), owned by the user, mode 0700 — also after a restore or a rejoin left them root's.
 * As RKE does it: a short-lived container of the same image, as root, with the directories bound.
 */
export async function giveUserDirs(
  docker: DockerApi,
  c: PlannedContainer,
  note: (p: string) => void,
): Promise<void> {
  if (!c.user || !c.userDirs?.length) return;
  const inside = c.userDirs.map((_, i) => `/zke-dir-${i}`);
  await runOneShot(
    docker,
    {
      name: `zke-${c.name}-dirs`,
      cluster: c.labels[CLUSTER_LABEL] ?? '',
      image: c.image,
      command: ['/bin/sh', '-c', GIVE_DIRS, 'sh', c.user, ...inside],
      env: [],
      binds: c.userDirs.map((dir, i) => `${dir}:${inside[i]}`),
    },
    note,
    120_000,
  );
}

async function replaceContainer(docker: DockerApi, c: PlannedContainer): Promise<void> {
  await stopContainer(docker, c.name);
  await renameContainer(docker, c.name, `old-${c.name}`);
  await startContainer(docker, await createContainer(docker, c));
  await removeContainer(docker, `old-${c.name}`);
}

export function asCurrent(c: InspectedContainer): CurrentContainer {
  return {
    name: c.name,
    image: c.image,
    command: c.command,
    env: c.env,
    binds: c.binds,
    networkMode: c.networkMode,
    pidMode: c.pidMode,
    privileged: c.privileged,
    restartPolicy: c.restartPolicy,
    labels: c.labels,
    user: c.user,
  };
}

export { containerLogTail };
