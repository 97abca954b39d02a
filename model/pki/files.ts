// The files a node gets under /etc/kubernetes/ssl (RKE `getCertKeys` + `DeployCertificatesOnPlaneHost`).
import { type Audience, kubeletCertName, placementOf } from './catalog.ts';
import { certPath, componentKubeconfig, keyPath, kubeconfigPath } from './kubeconfig.ts';
import type { CertBundle, NodeFile, PkiNode } from './types.ts';

export const CERT_MODE = 0o644;
export const KEY_MODE = 0o600;
export const KUBECONFIG_MODE = 0o600;

/** Certificates, keys and kubeconfigs for one node, in bundle order. kube-admin stays local. */
export function certFiles(bundle: CertBundle, node: PkiNode): NodeFile[] {
  return Object.values(bundle).flatMap((entry) => {
    const placement = placementOf(entry.name);
    const reaches = (audience: Audience) => reachesNode(audience, entry.name, node);
    if (!placement || !reaches(placement.certTo)) return [];
    const files: NodeFile[] = [{ path: certPath(entry.name), mode: CERT_MODE, content: entry.certPem }];
    if (reaches(placement.keyTo))
      files.push({ path: keyPath(entry.name), mode: KEY_MODE, content: entry.keyPem });
    if (placement.kubeconfig) {
      files.push({
        path: kubeconfigPath(entry.name),
        mode: KUBECONFIG_MODE,
        content: componentKubeconfig(entry.name),
      });
    }
    return files;
  });
}

function reachesNode(audience: Audience, name: string, node: PkiNode): boolean {
  if (audience === 'all') return true;
  if (audience === 'none') return false;
  if (audience === 'self') return name === kubeletCertName(node);
  return node.roles.includes(audience);
}
