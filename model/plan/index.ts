// The plan as data: containers and files per host, the ordered steps of `zke up`, and named text renderers.

export {
  ENCRYPTION_CONFIG_FILE,
  ENCRYPTION_CONFIG_TEXT,
  type EncryptionKey,
  type KeyRotationStage,
  keyRotationRefusal,
  POD_SECURITY_EXEMPT_NAMESPACES,
  rotationKeys,
} from './apiserver-config.ts';
export { maxUnavailable } from './bounds.ts';
export { applyLayout, buildPlan } from './build.ts';
export { containersToRestart, isCertsBind } from './certRestarts.ts';
export { CLUSTER_LABEL, MANAGED_LABEL } from './container.ts';
export { etcdCertName, etcdClientUrl, etcdMemberName } from './etcd.ts';
export { FILE_MODES, KUBELET_DOCKER_CONFIG_TEXT } from './files.ts';
export { nodeLabels, nodeTaints, runsWorkloads, taintFlag } from './node-meta.ts';
export { hostPath, SSL_DIR } from './paths.ts';
export { type RotationPlan, rotationPlan } from './rotation.ts';
export * from './steps.ts';
export { base64, renderTextFile, type TextSecrets } from './text-files.ts';
export * from './topology.ts';
export type * from './types.ts';
