// Resolves the plan's file references (certificate, key, kubeconfig or text by name) into contents.
import { componentKubeconfig } from '../model/pki/index.ts';
import type { CertBundle } from '../model/pki/types.ts';
import { renderTextFile, type TextSecrets } from '../model/plan/index.ts';
import type { PlannedFile } from '../model/plan/types.ts';
import type { ClusterSpec } from '../model/spec/types.ts';
import type { RemoteFile } from './ssh/files.ts';

export function resolveFile(
  file: PlannedFile,
  bundle: CertBundle,
  spec: ClusterSpec,
  secrets: TextSecrets,
): RemoteFile {
  const { kind, name } = file.content;
  const entry = bundle[name];
  if (kind !== 'text' && !entry && kind !== 'kubeconfig')
    throw new Error(`certificate ${name} is not in the bundle`);
  const content =
    kind === 'cert'
      ? entry.certPem
      : kind === 'key'
        ? entry.keyPem
        : kind === 'kubeconfig'
          ? componentKubeconfig(name)
          : renderTextFile(name, spec, secrets);
  return { path: file.path, mode: file.mode, content, ...(file.owner ? { owner: file.owner } : {}) };
}
