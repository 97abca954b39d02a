// Step "node labels and taints": every node registered, with role labels + the spec's labels (labels zke set
// before and the spec dropped are removed: server-side apply owns exactly what it last applied) and taints.
import { nodeLabels, nodeTaints } from '../model/plan/index.ts';
import type { NodeSpec } from '../model/spec/types.ts';
import { loadSpec, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import type { KubeClient } from './kube/client.ts';
import { withKube } from './kube/session.ts';
import { waitFor } from './wait.ts';

interface NodeObject {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { taints?: { key: string; value?: string; effect: string }[] };
}

export async function syncNodes(ref: RevisionRef & { hosts?: string[] }): Promise<{ nodes: number }> {
  const spec = loadSpec(ref);
  const nodes = spec.nodes.filter((n) => !ref.hosts || ref.hosts.includes(n.name));
  await withHeartbeat((note) =>
    withKube(ref.cluster, spec, async (kube) => {
      for (const node of nodes) {
        note(`node ${node.name}`);
        await waitRegistered(kube, node.name);
        await kube.apply(
          { apiVersion: 'v1', kind: 'Node', metadata: { name: node.name, labels: nodeLabels(node) } },
          'zke-labels',
        );
        await ensureTaints(kube, node);
      }
    }),
  );
  return { nodes: nodes.length };
}

async function waitRegistered(kube: KubeClient, name: string): Promise<NodeObject> {
  return waitFor(() => kube.json<NodeObject>('GET', `/api/v1/nodes/${name}`), {
    what: `node ${name} registered`,
    timeoutMs: 120_000,
  });
}

/** Adds the spec's taints a node lacks (other taints, e.g. not-ready, are left alone). */
async function ensureTaints(kube: KubeClient, node: NodeSpec): Promise<void> {
  const current = (await kube.json<NodeObject>('GET', `/api/v1/nodes/${node.name}`)).spec.taints ?? [];
  const missing = nodeTaints(node).filter(
    (t) => !current.some((c) => c.key === t.key && c.effect === t.effect),
  );
  if (!missing.length) return;
  const taints = [...current, ...missing.map((t) => ({ key: t.key, value: t.value, effect: t.effect }))];
  await kube.json(
    'PATCH',
    `/api/v1/nodes/${node.name}`,
    { spec: { taints } },
    'application/merge-patch+json',
  );
}
