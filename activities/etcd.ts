// The etcd plane's health gate: every etcd member answers /health over TLS with the kube-node client cert,
// within a deadline; on failure the message names each unhealthy host and why (RKE only said "not healthy").

import { CA_NAME } from '../model/pki/catalog.ts';
import type { NodeSpec } from '../model/spec/types.ts';
import { loadSpec, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { type Reach, sshTarget, withSession } from './hostSession.ts';
import { loadBundle } from './pki.ts';
import { httpGet, type TlsOptions } from './ssh/http.ts';

const ETCD_CLIENT_CERT = 'kube-node';

export async function etcdMemberHealth(
  cluster: string,
  spec: Reach,
  node: NodeSpec,
  tls: TlsOptions,
): Promise<string | undefined> {
  try {
    const res = await withSession(sshTarget(cluster, spec, node), (s) =>
      httpGet(s, { host: node.internalAddress, port: 2379, path: '/health', tls, timeoutMs: 5_000 }),
    );
    const healthy = res.status === 200 && /"health":\s*"true"/.test(res.body);
    return healthy ? undefined : `status ${res.status}: ${res.body.slice(0, 200)}`;
  } catch (err) {
    return (err as Error).message;
  }
}

export function etcdClientTls(cluster: string): TlsOptions {
  const bundle = loadBundle(cluster);
  return {
    ca: bundle[CA_NAME].certPem,
    cert: bundle[ETCD_CLIENT_CERT].certPem,
    key: bundle[ETCD_CLIENT_CERT].keyPem,
  };
}

/** `hosts` limits the check to those members (while members join or leave); default: every etcd host. */
export async function waitEtcdHealthy(
  ref: RevisionRef & { timeoutMs?: number; hosts?: string[] },
): Promise<{ members: string[] }> {
  const spec = loadSpec(ref);
  const members = spec.nodes.filter(
    (n) => n.roles.includes('etcd') && (!ref.hosts || ref.hosts.includes(n.name)),
  );
  const tls = etcdClientTls(ref.cluster);
  const deadline = Date.now() + (ref.timeoutMs ?? 90_000);
  return withHeartbeat(async (note) => {
    for (;;) {
      const problems = (
        await Promise.all(
          members.map(async (n) => [n.name, await etcdMemberHealth(ref.cluster, spec, n, tls)] as const),
        )
      ).filter(([, problem]) => problem !== undefined);
      if (!problems.length) return { members: members.map((m) => m.name) };
      const report = problems.map(([host, problem]) => `${host}: ${problem}`).join('; ');
      note(`etcd not healthy yet: ${report}`);
      if (Date.now() > deadline)
        throw new Error(
          `etcd cluster is not healthy after ${Math.round((ref.timeoutMs ?? 90_000) / 1000)} s: ${report}`,
        );
      await new Promise((r) => setTimeout(r, 3_000));
    }
  });
}
