// Certificate rotation's cluster-side steps: its plan (which containers on which hosts read the re-issued
// certificates, and the steps restarting them) and, after a CA rotation, recreating the kube-system pods so
// they mount the new CA.
import { SYSTEM_NAMESPACE } from '../model/addons/index.ts';
import { type RotationPlan, rotationPlan } from '../model/plan/index.ts';
import { currentState, loadSpec, planStateOf, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { PodObject } from './drainPods.ts';
import { withKube } from './kube/session.ts';

/** The rotation's steps and restarts for the re-issued certificates (model/plan/rotation.ts). */
export async function planRotation(
  input: RevisionRef & { certs: string[]; ca: boolean },
): Promise<RotationPlan> {
  return rotationPlan(loadSpec(input), planStateOf(currentState(input.cluster)), input.certs, input.ca);
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
