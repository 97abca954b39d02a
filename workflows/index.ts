// Every workflow type the worker serves.
export { adoptCluster } from './adoptCluster.ts';
export { loadImages } from './loadImages.ts';
export { probeHosts } from './probeHosts.ts';
export { provisionCluster } from './provisionCluster.ts';
export { removeCluster } from './removeCluster.ts';
export { restoreEtcd } from './restoreEtcd.ts';
export { rollbackCluster } from './rollbackCluster.ts';
export { rotateCertificates } from './rotateCertificates.ts';
export { rotateEncryptionKey } from './rotateEncryptionKey.ts';
export { scheduledOperation } from './scheduledOperation.ts';
export { snapshotEtcd } from './snapshotEtcd.ts';
export { upgradeCluster } from './upgradeCluster.ts';
