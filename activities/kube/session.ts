// Reaching the cluster's Kubernetes API: through SSH to the first controlplane that answers, with kube-admin.

import { CA_NAME } from '../../model/pki/catalog.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { sshTarget, withSession } from '../hostSession.ts';
import { loadBundle } from '../pki.ts';
import { waitFor } from '../wait.ts';
import { KubeClient } from './client.ts';

export async function withKube<T>(
  cluster: string,
  spec: ClusterSpec,
  fn: (kube: KubeClient) => Promise<T>,
): Promise<T> {
  const bundle = loadBundle(cluster);
  const tls = {
    ca: bundle[CA_NAME].certPem,
    cert: bundle['kube-admin'].certPem,
    key: bundle['kube-admin'].keyPem,
  };
  const errors: string[] = [];
  for (const node of spec.nodes.filter((n) => n.roles.includes('controlplane'))) {
    try {
      return await withSession(sshTarget(cluster, spec, node), async (session) => {
        const kube = new KubeClient(session, tls);
        await kube.json('GET', '/version');
        return fn(kube);
      });
    } catch (err) {
      errors.push(`${node.name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no controlplane answered: ${errors.join('; ')}`);
}

/** Waits (bounded) until the API server reports ready. */
export async function waitApiReady(kube: KubeClient, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    async () => {
      const res = await kube.request('GET', '/readyz');
      if (res.status !== 200) throw new Error(`/readyz ${res.status}: ${res.body.slice(0, 200)}`);
      return true;
    },
    { what: 'kube-apiserver /readyz', timeoutMs },
  );
}
