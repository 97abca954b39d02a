// Steps "rbac", "network plugin", "addons": server-side apply of each addon's objects on every run (so a
// failed first run, or a deleted object, is repaired by the next run), with the applied fingerprint recorded;
// and the deletion of what a new revision no longer renders (model/addons/prune.ts).
import {
  type AddonName,
  addonFingerprint,
  addonObjects,
  type KubeObject,
  prunedObjects,
} from '../model/addons/index.ts';
import { loadSpec, type RevisionRef, store } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { now } from './deps.ts';
import type { KubeClient } from './kube/client.ts';
import { waitApiReady, withKube } from './kube/session.ts';
import { waitFor } from './wait.ts';

/** How long a new CRD's kind may take to be served, and a deleted object (a namespace) to be gone. */
const SERVED_TIMEOUT_MS = 60_000;
const GONE_TIMEOUT_MS = 180_000;

export interface AddonResult {
  addon: string;
  objects: number;
  changed: boolean;
}

const describe = (obj: KubeObject) => `${obj.kind}/${obj.metadata.name}`;

/** Objects of a kind an earlier object defines (a CRD) wait until the API serves that kind. */
async function whenServed(kube: KubeClient, obj: KubeObject): Promise<void> {
  await waitFor(async () => (await kube.served(obj.apiVersion, obj.kind)) || undefined, {
    what: `the API serving ${obj.kind} (${obj.apiVersion})`,
    timeoutMs: SERVED_TIMEOUT_MS,
  });
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
        note(`apply ${describe(obj)}`);
        await whenServed(kube, obj);
        await kube.apply(obj);
      }
    }),
  );
  store().write(input.cluster, key, {
    fingerprint,
    appliedAt: now().toISOString(),
    revision: input.revision,
  });
  return { addon: input.addon, objects: objects.length, changed: before?.fingerprint !== fingerprint };
}

export interface PruneResult {
  addon: string;
  /** `Kind/name` of each object deleted (those already gone are left out). */
  deleted: string[];
}

/**
 * Deletes what `addon` had under revision `fromRevision` that `revision` no longer renders, in deletion order,
 * and waits (bounded) until each is gone, so that enabling the addon again never meets a terminating namespace.
 */
export async function pruneAddon(
  input: RevisionRef & { fromRevision: number; addon: AddonName },
): Promise<PruneResult> {
  const spec = loadSpec(input);
  const stale = prunedObjects(loadSpec({ ...input, revision: input.fromRevision }), spec, input.addon);
  const deleted: string[] = [];
  await withHeartbeat((note) =>
    withKube(input.cluster, spec, async (kube) => {
      for (const obj of stale) {
        note(`delete ${describe(obj)}`);
        if (await kube.remove(obj)) deleted.push(describe(obj));
        await waitFor(async () => ((await kube.exists(obj)) ? undefined : true), {
          what: `${describe(obj)} deleted`,
          timeoutMs: GONE_TIMEOUT_MS,
        });
      }
    }),
  );
  return { addon: input.addon, deleted };
}
