// etcd membership changes through the v3 members API (JSON gateway on :2379, kube-node client certificate,
// reached through SSH on a member host): add a member before its container starts, remove one that leaves.
// After each change the member list is recorded, so the next etcd container gets the right initial-cluster.

import { hostPath } from '../model/plan/index.ts';
import { ETCD_DATA_HOST_DIR, urlHost } from '../model/plan/paths.ts';
import type { ClusterSpec, NodeSpec } from '../model/spec/types.ts';
import { currentState, loadSpec, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { removeContainer } from './docker/containers.ts';
import { etcdClientTls } from './etcd.ts';
import { dockerOf, type Reach, sshTarget, withSession } from './hostSession.ts';
import { recordEtcdMembers } from './lifecycleState.ts';
import { httpRequest } from './ssh/http.ts';

export interface EtcdMember {
  ID: string;
  name?: string;
  peerURLs?: string[];
}

export const peerUrl = (node: Pick<NodeSpec, 'internalAddress'>) =>
  `https://${urlHost(node.internalAddress)}:2380`;

/** The etcd hosts that answer members API calls, and how to reach them. */
interface Endpoints {
  readonly spec: Reach;
  readonly nodes: NodeSpec[];
}

/** POSTs to the members API of the first endpoint that answers. */
async function membersApi<T>(cluster: string, endpoints: Endpoints, path: string, body: object): Promise<T> {
  const tls = etcdClientTls(cluster);
  const errors: string[] = [];
  for (const node of endpoints.nodes) {
    try {
      const res = await withSession(sshTarget(cluster, endpoints.spec, node), (s) =>
        httpRequest(s, {
          host: node.internalAddress,
          port: 2379,
          path: `/v3/cluster/member/${path}`,
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
          tls,
          timeoutMs: 10_000,
        }),
      );
      if (res.status === 200) return JSON.parse(res.body) as T;
      errors.push(`${node.name}: ${res.status} ${res.body.slice(0, 200)}`);
    } catch (err) {
      errors.push(`${node.name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`etcd members API ${path} failed on every endpoint: ${errors.join('; ')}`);
}

async function listMembers(cluster: string, endpoints: Endpoints): Promise<EtcdMember[]> {
  return (await membersApi<{ members?: EtcdMember[] }>(cluster, endpoints, 'list', {})).members ?? [];
}

/** Host names of the members, matched by peer URL (a member that has not started yet has no name). */
export function memberHosts(members: readonly EtcdMember[], nodes: readonly NodeSpec[]): string[] {
  return nodes
    .filter((n) => members.some((m) => m.peerURLs?.includes(peerUrl(n)) || m.name === `etcd-${n.name}`))
    .map((n) => n.name);
}

function etcdNodes(ref: RevisionRef, exclude?: string): Endpoints {
  const members = new Set(currentState(ref.cluster)?.etcdMembers ?? []);
  const spec = loadSpec(ref);
  const nodes = spec.nodes.filter(
    (n) => n.roles.includes('etcd') && members.has(n.name) && n.name !== exclude,
  );
  return { spec, nodes };
}

async function recordFrom(cluster: string, endpoints: Endpoints, nodes: NodeSpec[]): Promise<string[]> {
  const names = memberHosts(await listMembers(cluster, endpoints), nodes);
  recordEtcdMembers(cluster, names);
  return names;
}

/** Adds `host` as a member (unless it is one already); its etcd then starts with initial-cluster-state=existing. */
export async function addEtcdMember(
  input: RevisionRef & { host: string },
): Promise<{ added: boolean; members: string[] }> {
  const spec = loadSpec(input);
  const node = spec.nodes.find((n) => n.name === input.host)!;
  const endpoints = etcdNodes(input, input.host);
  return withHeartbeat(async () => {
    const members = await listMembers(input.cluster, endpoints);
    const added = !members.some((m) => m.peerURLs?.includes(peerUrl(node)));
    if (added) await membersApi(input.cluster, endpoints, 'add', { peerURLs: [peerUrl(node)] });
    return { added, members: await recordFrom(input.cluster, endpoints, spec.nodes as NodeSpec[]) };
  });
}

/**
 * Removes the member of `host` (a node of revision `fromRevision`) through the remaining members, then stops
 * its etcd containers and deletes its data directory when the host still answers.
 */
export async function removeEtcdMember(
  input: RevisionRef & { host: string; fromRevision: number },
): Promise<{ removed: boolean; members: string[]; cleaned: string }> {
  const old = loadSpec({ cluster: input.cluster, revision: input.fromRevision });
  const node = old.nodes.find((n) => n.name === input.host)!;
  const endpoints = etcdNodes(input, input.host);
  const nodes = [...loadSpec(input).nodes, node];
  return withHeartbeat(async () => {
    const member = (await listMembers(input.cluster, endpoints)).find(
      (m) => m.peerURLs?.includes(peerUrl(node)) || m.name === `etcd-${node.name}`,
    );
    if (member) await membersApi(input.cluster, endpoints, 'remove', { ID: member.ID });
    const members = await recordFrom(input.cluster, endpoints, nodes);
    const cleaned = await retireEtcdHost(input.cluster, old, node).catch(
      (e: Error) => `not cleaned: ${e.message}`,
    );
    return { removed: member !== undefined, members, cleaned };
  });
}

async function retireEtcdHost(cluster: string, old: ClusterSpec, node: NodeSpec): Promise<string> {
  const prefix = old.prefixPath;
  return withSession(sshTarget(cluster, old, node), async (session) => {
    const docker = dockerOf(session);
    for (const name of ['etcd', 'etcd-rolling-snapshots']) await removeContainer(docker, name);
    const rm = await session.exec(['rm', '-rf', '--one-file-system', hostPath(prefix, ETCD_DATA_HOST_DIR)]);
    if (rm.code !== 0) throw new Error(rm.stderr.trim());
    return 'etcd containers and data removed';
  });
}
