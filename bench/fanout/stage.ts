// The fan-out job's input: the certificate set each lab host would get (model/pki), written per host to a
// local directory that zke, Ansible and the ssh loop all copy from: <stage>/<host>/ssl/<file>.
import fs from 'node:fs';
import path from 'node:path';
import { certFiles, generateBundle, SSL_DIR } from '../../model/pki/index.ts';
import type { PkiNode } from '../../model/pki/types.ts';
import type { LabHost } from '../../test/support/lab.ts';
import { benchPkiInput } from '../pkiInput.ts';

export interface Stage {
  dir: string;
  /** Files per host name. */
  files: Record<string, number>;
  bytes: number;
}

/** Lab hosts as cluster nodes: the first three etcd + control plane, the others workers. */
export function benchNodes(hosts: readonly LabHost[]): PkiNode[] {
  return hosts.map((h, i) => ({
    name: h.name,
    address: h.address,
    internalAddress: h.address,
    roles: i < 3 ? ['etcd', 'controlplane', 'worker'] : ['worker'],
  }));
}

export async function stageCertificates(hosts: readonly LabHost[], dir: string): Promise<Stage> {
  const nodes = benchNodes(hosts);
  const { bundle } = await generateBundle(benchPkiInput(nodes, new Date().toISOString()));
  const stage: Stage = { dir, files: {}, bytes: 0 };
  for (const node of nodes) {
    const files = certFiles(bundle, node);
    for (const f of files) {
      const local = path.join(dir, node.name, 'ssl', path.relative(SSL_DIR, f.path));
      fs.mkdirSync(path.dirname(local), { recursive: true });
      fs.writeFileSync(local, f.content, { mode: f.mode });
      fs.chmodSync(local, f.mode);
      stage.bytes += Buffer.byteLength(f.content);
    }
    stage.files[node.name] = files.length;
  }
  return stage;
}
