// Steps "rbac", "network plugin", "addons": server-side apply of each addon's objects on every run (so a
// failed first run, or a deleted object, is repaired by the next run), with the applied fingerprint recorded.
import { type AddonName, addonFingerprint, addonObjects } from '../model/addons/index.ts';
import { loadSpec, type RevisionRef, store } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { waitApiReady, withKube } from './kube/session.ts';

export interface AddonResult {
  addon: string;
  objects: number;
  changed: boolean;
}

export async function applyAddon(input: RevisionRef & { addon: AddonName }): Promise<AddonResult> {
  const spec = loadSpec(input);
  const objects = addonObjects(spec, input.addon);
  const fingerprint = addonFingerprint(objects);
  const key = `addons/${input.addon}`;
  const before = store().read<{ fingerprint: string }>(input.cluster, key);
  await withHeartbeat((note) =>
    withKube(input.cluster, spec, async (kube) => {
      await waitApiReady(kube);
      for (const obj of objects) {
        note(`apply ${obj.kind}/${obj.metadata.name}`);
        await kube.apply(obj);
      }
    }),
  );
  store().write(input.cluster, key, {
    fingerprint,
    appliedAt: new Date().toISOString(),
    revision: input.revision,
  });
  return { addon: input.addon, objects: objects.length, changed: before?.fingerprint !== fingerprint };
}
