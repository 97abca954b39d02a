// Step "deploy certificates": the node's certificates, keys (0600) and kubeconfigs under /etc/kubernetes/ssl,
// written only where the content differs.
import path from 'node:path';
import { certFiles } from '../model/pki/index.ts';
import { loadSpec, nodeOf, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { withSession } from './hostsCheck.ts';
import { syncFiles, type SyncResult } from './ssh/files.ts';
import { sshTarget } from './clusterState.ts';
import { loadBundle } from './pki.ts';

export async function deployHostFiles(input: RevisionRef & { host: string }): Promise<SyncResult> {
  const spec = loadSpec(input);
  const node = nodeOf(spec, input.host);
  const bundle = loadBundle(input.cluster);
  const pkiNode = { name: node.name, address: node.address, internalAddress: node.internalAddress, roles: [...node.roles] };
  const files = certFiles(bundle, pkiNode).map((f) => ({ ...f, path: withPrefix(spec.prefixPath, f.path) }));
  return withHeartbeat(() => withSession(sshTarget(input.cluster, node), (s) => syncFiles(s, files)));
}

export function withPrefix(prefix: string, p: string): string {
  return prefix && prefix !== '/' ? path.posix.join(prefix, p) : p;
}
