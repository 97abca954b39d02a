// Step "kubeconfig": the admin kubeconfig (embedded admin cert) pointing at a controlplane that answers.
import { adminKubeconfig } from '../model/pki/index.ts';
import { loadSpec, type RevisionRef, store } from './clusterState.ts';
import { loadBundle } from './pki.ts';

export async function writeKubeconfig(ref: RevisionRef): Promise<{ server: string }> {
  const spec = loadSpec(ref);
  const cp = spec.nodes.find((n) => n.roles.includes('controlplane'));
  if (!cp) throw new Error(`cluster ${ref.cluster} has no controlplane node`);
  const server = `https://${cp.address}:6443`;
  store().write(ref.cluster, 'kubeconfig', {
    yaml: adminKubeconfig(loadBundle(ref.cluster), server, spec.clusterName),
    server,
  });
  return { server };
}
