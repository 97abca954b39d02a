// Certificate rotation's cluster-side steps: which containers on which hosts read the re-issued certificates,
// and (after a CA rotation) recreating the kube-system pods so they mount the new CA.
import { SYSTEM_NAMESPACE } from '../model/addons/index.ts';
import { buildPlan } from '../model/plan/index.ts';
import { containersToRestart } from './certRestarts.ts';
import { currentState, loadSpec, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { PodObject } from './drainPods.ts';
import { withKube } from './kube/session.ts';

export interface HostRestarts {
  host: string;
  roles: string[];
  containers: string[];
}

export async function rotationRestarts(input: RevisionRef & { certs: string[] }): Promise<HostRestarts[]> {
  const state = currentState(input.cluster);
  const plan = buildPlan(loadSpec(input), { etcdMembers: state?.etcdMembers, hosts: state?.hosts });
  return plan.hosts
    .map((h) => ({ host: h.name, roles: [...h.roles], containers: containersToRestart(h, input.certs) }))
    .filter((h) => h.containers.length > 0);
}

/** Deletes the kube-system pods (their controllers recreate them with the new CA); mirror pods stay. */
export async function deleteSystemPods(input: RevisionRef): Promise<{ deleted: string[] }> {
  const spec = loadSpec(input);
  return withHeartbeat((note) =>
    withKube(input.cluster, spec, async (kube) => {
      const base = `/api/v1/namespaces/${SYSTEM_NAMESPACE}/pods`;
      const pods = (await kube.json<{ items: PodObject[] }>('GET', base)).items.filter(
        (p) => p.metadata.annotations?.['kubernetes.io/config.mirror'] === undefined,
      );
      for (const pod of pods) {
        note(`delete ${pod.metadata.name}`);
        const res = await kube.request('DELETE', `${base}/${encodeURIComponent(pod.metadata.name)}`);
        if (res.status >= 300 && res.status !== 404)
          throw new Error(`deleting pod ${pod.metadata.name}: ${res.status} ${res.body.slice(0, 200)}`);
      }
      return { deleted: pods.map((p) => p.metadata.name) };
    }),
  );
}
