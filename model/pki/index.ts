// Public API of the PKI: zke/RKE's certificate set, node files, kubeconfigs, expiry.
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
export { DEFAULT_VALIDITY_DAYS, generateBundle, isNoop, reissuedNames } from './bundle.ts';
export { CA_NAME, certCatalog, etcdCertName, kubeletCertName, ROTATABLE_SERVICES } from './catalog.ts';
export { certExpiry, verifyChain } from './expiry.ts';
export { CERT_MODE, certFiles, KEY_MODE, KUBECONFIG_MODE } from './files.ts';
export { pkiInputOf } from './input.ts';
export { adminCredentialsFrom, adminKubeconfig, componentKubeconfig, SSL_DIR } from './kubeconfig.ts';
export { describeCert, entryFromPem } from './parse.ts';
export { kubernetesServiceIp } from './sans.ts';
export type * from './types.ts';
