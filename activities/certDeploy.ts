// Step "deploy certificates": the host's planned files — certificates, keys (0600), kubeconfigs — written
// only where the content differs.

import { buildPlan } from '../model/plan/index.ts';
import { loadSpec, nodeOf, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { sshTarget, withSession } from './hostSession.ts';
import { loadBundle, textSecrets } from './pki.ts';
import { resolveFile } from './planFiles.ts';
import { type SyncResult, syncFiles } from './ssh/files.ts';

export async function deployHostFiles(input: RevisionRef & { host: string }): Promise<SyncResult> {
  const spec = loadSpec(input);
  const node = nodeOf(spec, input.host);
  const bundle = loadBundle(input.cluster);
  const hostPlan = buildPlan(spec).hosts.find((h) => h.name === input.host)!;
  const secrets = textSecrets(input.cluster);
  const files = hostPlan.files.map((f) => resolveFile(f, bundle, spec, secrets));
  return withHeartbeat(() => withSession(sshTarget(input.cluster, spec, node), (s) => syncFiles(s, files)));
}
