// Container steps of a rolling change on one host: what would change (so unchanged hosts are not cordoned),
// restarts for changed certificates, stop/start for a restore, and removal of containers a host no longer
// plans (a role it lost). Containers are named by the plan; health gates as in provisioning.

import { describeChange, diffContainers, RKE_CONTAINER_LABEL, tokenLoss } from '../model/diff.ts';
import { buildPlan, CLUSTER_LABEL, containersToRestart, PHASE_CONTAINERS } from '../model/plan/index.ts';
import type { HostPlan, PlannedContainer } from '../model/plan/types.ts';
import {
  currentState,
  loadSpec,
  nodeOf,
  planStateOf,
  type RevisionRef,
  runningAsSpecified,
} from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { DockerApi } from './docker/api.ts';
import {
  imageEnv,
  inspectContainer,
  listByLabel,
  removeContainer,
  restartContainer,
  startContainer,
  stopContainer,
} from './docker/containers.ts';
import { waitContainerHealthy } from './health.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';
import { asCurrent, giveUserDirs, type Plane } from './reconcile.ts';
import type { SshSession } from './ssh/session.ts';

export type HostRef = RevisionRef & { host: string };

/** The host's plan against the cluster's recorded state, or (`adopting`) against the spec taken as running. */
export function hostPlanFor(ref: HostRef & { adopting?: boolean }): HostPlan {
  const spec = loadSpec(ref);
  const state = ref.adopting ? runningAsSpecified(spec) : currentState(ref.cluster);
  const plan = buildPlan(spec, planStateOf(state));
  const host = plan.hosts.find((h) => h.name === ref.host);
  if (!host) throw new Error(`host ${ref.host} is not in revision ${ref.revision} of ${ref.cluster}`);
  return host;
}

async function onHost<T>(
  ref: HostRef,
  fn: (docker: DockerApi, session: SshSession, note: (p: string) => void) => Promise<T>,
): Promise<T> {
  const spec = loadSpec(ref);
  const target = sshTarget(ref.cluster, spec, nodeOf(spec, ref.host));
  return withHeartbeat((note) => withSession(target, (s) => fn(dockerOf(s), s, note)));
}

export interface PendingChanges {
  /** `name: action (reasons)` for containers to create, replace, start or remove. */
  changes: string[];
  /** Unchanged containers that must restart to read changed certificates. */
  restarts: string[];
  /** Why the planned kube-apiserver would refuse the tokens the pods hold (model/diff.ts tokenLoss). */
  tokenLoss?: string;
}

export async function pendingChanges(
  input: HostRef & { planes: Plane[]; certs: string[]; adopting?: boolean },
): Promise<PendingChanges> {
  const plan = hostPlanFor(input);
  const inPlanes = new Set<string>(input.planes.flatMap((p) => PHASE_CONTAINERS[p]));
  const cluster = loadSpec(input).clusterName;
  return onHost(input, async (docker) => {
    const current = await currentContainers(docker, cluster);
    const changes = diffContainers(plan.containers, current)
      .filter((c) => c.action === 'remove' || inPlanes.has(c.name))
      .flatMap((c) => {
        const now = current.find((x) => x.name === c.name);
        if (c.action !== 'unchanged') return [describeChange(c, now)];
        return now?.running ? [] : [`${c.name}: start`];
      });
    const changed = new Set(changes.map((c) => c.split(':')[0]));
    const restarts = containersToRestart(plan, input.certs).filter((n) => inPlanes.has(n) && !changed.has(n));
    const loss = tokenLoss(plan.containers, current);
    return { changes, restarts, ...(loss ? { tokenLoss: loss } : {}) };
  });
}

function planned(plan: HostPlan, names: readonly string[]): PlannedContainer[] {
  return plan.containers.filter((c) => names.includes(c.name));
}

/** Restarts the named containers in plan order, each through its health gate. */
export async function restartContainers(input: HostRef & { containers: string[] }): Promise<string[]> {
  return forEachPlanned(input, async (docker, session, c) => {
    await restartContainer(docker, c.name);
    if (c.healthcheck) await waitContainerHealthy(session, c, input.cluster);
  });
}

export async function stopContainers(input: HostRef & { containers: string[] }): Promise<string[]> {
  return forEachPlanned(input, (docker, _s, c) => stopContainer(docker, c.name, 30), true);
}

/** Starts stopped containers (plan order), each through its health gate (a restore left etcd's data root's). */
export async function startContainers(input: HostRef & { containers: string[] }): Promise<string[]> {
  return forEachPlanned(input, async (docker, session, c) => {
    await giveUserDirs(docker, c, () => {});
    await startContainer(docker, c.name);
    if (c.healthcheck) await waitContainerHealthy(session, c, input.cluster);
  });
}

async function forEachPlanned(
  input: HostRef & { containers: string[] },
  fn: (docker: DockerApi, session: SshSession, c: PlannedContainer) => Promise<void>,
  reverse = false,
): Promise<string[]> {
  const list = planned(hostPlanFor(input), input.containers);
  if (reverse) list.reverse();
  return onHost(input, async (docker, session, note) => {
    for (const c of list) {
      note(`${input.host}: ${c.name}`);
      await fn(docker, session, c);
    }
    return list.map((c) => c.name);
  });
}

/**
 * Removes zke's containers the host no longer plans (e.g. the controlplane of a host that is now a worker), and
 * RKE's that zke does not run (an adopted cluster's service-sidekick).
 */
export async function removeUnplannedContainers(input: HostRef): Promise<string[]> {
  const plan = hostPlanFor(input);
  const spec = loadSpec(input);
  return onHost(input, async (docker) => {
    const current = await currentContainers(docker, spec.clusterName);
    const removals = diffContainers(plan.containers, current).filter((c) => c.action === 'remove');
    for (const c of removals) await removeContainer(docker, c.name);
    return removals.map((c) => c.name);
  });
}

type Current = ReturnType<typeof asCurrent> & { imageEnv: string[]; running: boolean };

/** zke's containers of this cluster on the host, and RKE's (a cluster being adopted), as the diff reads them. */
async function currentContainers(docker: DockerApi, cluster: string): Promise<Current[]> {
  const out: Current[] = [];
  const names = new Set([
    ...(await listByLabel(docker, `${CLUSTER_LABEL}=${cluster}`)),
    ...(await listByLabel(docker, RKE_CONTAINER_LABEL)),
  ]);
  for (const name of names) {
    const found = await inspectContainer(docker, name);
    if (!found) continue;
    const running = found.running && !found.restarting;
    out.push({ ...asCurrent(found), imageEnv: await imageEnv(docker, found.image), running });
  }
  return out;
}
