// Every workflow type the worker serves.
export { probeHosts } from './probeHosts.ts';
export { provisionCluster } from './provisionCluster.ts';
export { removeCluster } from './removeCluster.ts';
