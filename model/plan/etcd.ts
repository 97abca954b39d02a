// etcd and etcd-rolling-snapshots on etcd hosts (§2.4). The snapshot loop is a fixed script; every value it
// uses comes in through the environment, never spliced into the script text.
import { etcdCertName } from '../pki/catalog.ts';
import type { NodeSpec } from '../spec/types.ts';
import { certsBind, container, type HostContext, serviceContainer } from './container.ts';
import { durationSeconds } from './duration.ts';
import {
  certFile,
  ETCD_DATA_DIR,
  ETCD_DATA_HOST_DIR,
  hostPath,
  keyFile,
  SNAPSHOT_HOST_DIR,
  urlHost,
} from './paths.ts';
import type { PlannedContainer } from './types.ts';

export const CA_CERT = 'kube-ca';

export { etcdCertName };

export const etcdMemberName = (node: NodeSpec) => `etcd-${node.name}`;
export const etcdClientUrl = (node: NodeSpec) => `https://${urlHost(node.internalAddress)}:2379`;
const peerUrl = (node: NodeSpec) => `https://${urlHost(node.internalAddress)}:2380`;

/** New cluster: every etcd host. Existing: the members still planned, plus this host when it joins. */
function initialCluster(ctx: HostContext): NodeSpec[] {
  if (ctx.etcdMembers.size === 0) return [...ctx.etcdNodes];
  return ctx.etcdNodes.filter((n) => ctx.etcdMembers.has(n.name) || n.name === ctx.node.name);
}

function etcdctlEnv(ctx: HostContext): string[] {
  const cert = etcdCertName(ctx.node);
  return [
    'ETCDCTL_API=3',
    `ETCDCTL_CACERT=${certFile(CA_CERT)}`,
    `ETCDCTL_CERT=${certFile(cert)}`,
    `ETCDCTL_KEY=${keyFile(cert)}`,
    `ETCDCTL_ENDPOINTS=${etcdClientUrl(ctx.node)}`,
  ];
}

export function etcdContainer(ctx: HostContext): PlannedContainer {
  const { node } = ctx;
  const cert = etcdCertName(node);
  const listen = node.address === node.internalAddress ? '0.0.0.0' : urlHost(node.internalAddress);
  return serviceContainer(ctx, {
    name: 'etcd',
    service: 'etcd',
    image: ctx.etcdImage,
    flags: {
      name: etcdMemberName(node),
      'data-dir': ETCD_DATA_DIR,
      'advertise-client-urls': etcdClientUrl(node),
      'listen-client-urls': `https://${listen}:2379`,
      'initial-advertise-peer-urls': peerUrl(node),
      'listen-peer-urls': `https://${listen}:2380`,
      'listen-metrics-urls': `http://${urlHost(node.internalAddress)}:2381`,
      'initial-cluster': initialCluster(ctx)
        .map((n) => `${etcdMemberName(n)}=${peerUrl(n)}`)
        .join(','),
      'initial-cluster-state': ctx.etcdMembers.size === 0 ? 'new' : 'existing',
      'trusted-ca-file': certFile(CA_CERT),
      'peer-trusted-ca-file': certFile(CA_CERT),
      'cert-file': certFile(cert),
      'key-file': keyFile(cert),
      'peer-cert-file': certFile(cert),
      'peer-key-file': keyFile(cert),
    },
    env: etcdctlEnv(ctx),
    binds: [`${etcdDataHostDir(ctx)}:${ETCD_DATA_DIR}`, certsBind(ctx)],
    healthcheck: { kind: 'etcd', port: 2379, path: '/health' },
    ...etcdUser(ctx),
  });
}

const etcdDataHostDir = (ctx: HostContext) => hostPath(ctx.spec.prefixPath, ETCD_DATA_HOST_DIR);

/** uid/gid: etcd runs as that user, which owns the data directory. */
function etcdUser(ctx: HostContext): Pick<PlannedContainer, 'user' | 'userDirs'> {
  const { user } = ctx.spec.services.etcd;
  return user ? { user, userDirs: [etcdDataHostDir(ctx)] } : {};
}

/** Snapshot every $SNAPSHOT_INTERVAL_SECONDS into /backup, delete snapshots older than the retention. */
export const SNAPSHOT_SCRIPT = [
  'set -u',
  'while true; do',
  '  sleep "$SNAPSHOT_INTERVAL_SECONDS"',
  '  file="/backup/etcd-snapshot-$(date -u +%Y%m%dT%H%M%SZ).db"',
  '  etcdctl snapshot save "$file" || echo "etcd snapshot failed" >&2',
  '  find /backup -name "etcd-snapshot-*.db" -mmin "+$SNAPSHOT_RETENTION_MINUTES" -delete',
  'done',
].join('\n');

export function snapshotContainer(ctx: HostContext): PlannedContainer {
  const { snapshot } = ctx.spec.services.etcd;
  return container(ctx, 'etcd-rolling-snapshots', ctx.etcdImage, {
    command: ['/bin/sh', '-c', SNAPSHOT_SCRIPT],
    env: [
      ...etcdctlEnv(ctx),
      `SNAPSHOT_INTERVAL_SECONDS=${durationSeconds(snapshot.creation)}`,
      `SNAPSHOT_RETENTION_MINUTES=${Math.ceil(durationSeconds(snapshot.retention) / 60)}`,
    ],
    binds: [`${hostPath(ctx.spec.prefixPath, SNAPSHOT_HOST_DIR)}:/backup`, certsBind(ctx)],
  });
}

export function etcdContainers(ctx: HostContext): PlannedContainer[] {
  if (!ctx.node.roles.includes('etcd')) return [];
  const snapshots = ctx.spec.services.etcd.snapshot.enabled ? [snapshotContainer(ctx)] : [];
  return [etcdContainer(ctx), ...snapshots];
}
