// A node's way through a rolling change, over the Kubernetes API: cordon (marked as zke's, so a node the user
// cordoned stays cordoned), drain through the Eviction API, wait until its kubelet is Ready again, uncordon,
// and delete nodes that left the spec. Every wait is bounded.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterSpec } from '../model/spec/types.ts';
import { currentState, loadSpec, type RevisionRef } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { now } from './deps.ts';
import { type PodObject, podName, selectPodsToEvict } from './drainPods.ts';
import type { KubeClient } from './kube/client.ts';
import { withKube } from './kube/session.ts';

export const CORDON_ANNOTATION = 'zke.io/cordoned';
const READY_TIMEOUT_MS = Number(process.env.ZKE_NODE_READY_TIMEOUT_MS ?? 180_000);
const NO_API = 'no controlplane answered';

export type NodeRef = RevisionRef & { host: string };

interface NodeObject {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** The API through the spec's controlplanes, then the applied revision's (a spec may move the control plane). */
export async function withClusterKube<T>(ref: RevisionRef, fn: (kube: KubeClient) => Promise<T>): Promise<T> {
  const spec = loadSpec(ref);
  const applied = currentState(ref.cluster)?.revision;
  const before =
    applied !== undefined && applied !== ref.revision ? loadSpec({ ...ref, revision: applied }) : spec;
  const names = new Set(spec.nodes.map((n) => n.name));
  const nodes = [...spec.nodes, ...before.nodes.filter((n) => !names.has(n.name))];
  return withKube(ref.cluster, { ...spec, nodes } as ClusterSpec, fn);
}

async function getNode(kube: KubeClient, name: string): Promise<NodeObject | undefined> {
  const res = await kube.request('GET', `/api/v1/nodes/${encodeURIComponent(name)}`);
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw new Error(`GET node ${name}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as NodeObject;
}

const patchNode = (kube: KubeClient, name: string, patch: unknown) =>
  kube.json('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, patch, 'application/merge-patch+json');

export interface CordonResult {
  cordoned: boolean;
  /** Set when the API could not be reached and the caller allowed that (a controlplane being repaired). */
  apiDown?: string;
}

export async function cordonNode(input: NodeRef & { tolerateApiDown?: boolean }): Promise<CordonResult> {
  try {
    return await withClusterKube(input, async (kube) => {
      const node = await getNode(kube, input.host);
      if (!node) return { cordoned: false };
      if (node.spec.unschedulable)
        return { cordoned: node.metadata.annotations?.[CORDON_ANNOTATION] !== undefined };
      await patchNode(kube, input.host, {
        metadata: { annotations: { [CORDON_ANNOTATION]: now().toISOString() } },
        spec: { unschedulable: true },
      });
      return { cordoned: true };
    });
  } catch (err) {
    const message = (err as Error).message;
    if (input.tolerateApiDown && message.startsWith(NO_API)) return { cordoned: false, apiDown: message };
    throw err;
  }
}

/** Uncordons a node only when zke cordoned it. */
export async function uncordonNode(input: NodeRef): Promise<{ uncordoned: boolean }> {
  return withClusterKube(input, async (kube) => {
    const node = await getNode(kube, input.host);
    if (!node?.metadata.annotations?.[CORDON_ANNOTATION]) return { uncordoned: false };
    await patchNode(kube, input.host, {
      metadata: { annotations: { [CORDON_ANNOTATION]: null } },
      spec: { unschedulable: false },
    });
    return { uncordoned: true };
  });
}

export async function deleteNode(input: NodeRef): Promise<{ deleted: boolean }> {
  return withClusterKube(input, async (kube) => {
    const res = await kube.request('DELETE', `/api/v1/nodes/${encodeURIComponent(input.host)}`);
    if (res.status >= 300 && res.status !== 404)
      throw new Error(`DELETE node ${input.host}: ${res.status} ${res.body.slice(0, 200)}`);
    return { deleted: res.status < 300 };
  });
}

/** Evicts the node's pods (node_drain_input rules), then waits until they are gone, within its timeout. */
export async function drainNode(input: NodeRef): Promise<{ evicted: string[]; skipped: string[] }> {
  const drain = loadSpec(input).upgradeStrategy.nodeDrainInput;
  const deadline = Date.now() + drain.timeout * 1000;
  return withHeartbeat((note) =>
    withClusterKube(input, async (kube) => {
      const selection = selectPodsToEvict(await podsOn(kube, input.host), drain);
      if (selection.blockers.length)
        throw ApplicationFailure.create({
          type: 'DrainBlocked',
          message: `cannot drain ${input.host}: ${selection.blockers.join('; ')}`,
          nonRetryable: true,
        });
      let left = selection.evict;
      while (left.length) {
        for (const pod of left) await evict(kube, pod, drain.gracePeriod);
        await sleep(2_000);
        const uids = new Set((await podsOn(kube, input.host)).map((p) => p.metadata.uid));
        left = left.filter((p) => uids.has(p.metadata.uid));
        note(`${input.host}: ${left.length} pod(s) left to evict`);
        if (left.length && Date.now() > deadline)
          throw ApplicationFailure.create({
            type: 'DrainTimeout',
            message: `drain of ${input.host} timed out after ${drain.timeout} s; still there: ${left.map(podName).join(', ')}`,
            nonRetryable: true,
          });
      }
      return { evicted: selection.evict.map(podName), skipped: selection.skipped };
    }),
  );
}

async function podsOn(kube: KubeClient, host: string): Promise<PodObject[]> {
  const selector = encodeURIComponent(`spec.nodeName=${host}`);
  return (await kube.json<{ items: PodObject[] }>('GET', `/api/v1/pods?fieldSelector=${selector}`)).items;
}

/** One eviction request; a disruption budget refusing it (429) is retried by the caller's loop. */
async function evict(kube: KubeClient, pod: PodObject, gracePeriod: number): Promise<void> {
  const { name, namespace } = pod.metadata;
  const res = await kube.request(
    'POST',
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}/eviction`,
    {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
      ...(gracePeriod >= 0 ? { deleteOptions: { gracePeriodSeconds: gracePeriod } } : {}),
    },
  );
  if (res.status >= 300 && res.status !== 404 && res.status !== 429)
    throw new Error(`evicting ${namespace}/${name}: ${res.status} ${res.body.slice(0, 200)}`);
}

/**
 * Waits until the node is Ready and its kubelet renewed its lease after this call started (a Ready condition
 * alone can be a stale one from before the kubelet was replaced).
 */
export async function waitNodeReady(input: NodeRef & { timeoutMs?: number }): Promise<{ ready: true }> {
  const timeoutMs = input.timeoutMs ?? READY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  return withHeartbeat((note) =>
    withClusterKube(input, async (kube) => {
      const since = await leaseRenewTime(kube, input.host);
      let last = 'not registered yet';
      for (;;) {
        const node = await getNode(kube, input.host);
        const ready = node?.status?.conditions?.find((c) => c.type === 'Ready');
        const renewed = await leaseRenewTime(kube, input.host);
        if (ready?.status === 'True' && renewed !== undefined && renewed !== since) return { ready: true };
        if (node)
          last = ready
            ? `Ready=${ready.status} (${ready.reason ?? ''}: ${ready.message ?? ''})`
            : 'no Ready condition';
        note(`${input.host}: ${last}`);
        if (Date.now() > deadline)
          throw ApplicationFailure.create({
            type: 'NodeNotReady',
            message: `node ${input.host} is not Ready after ${Math.round(timeoutMs / 1000)} s: ${last}`,
            nonRetryable: true,
          });
        await sleep(3_000);
      }
    }),
  );
}

async function leaseRenewTime(kube: KubeClient, host: string): Promise<string | undefined> {
  const res = await kube.request(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(host)}`,
  );
  if (res.status !== 200) return undefined;
  return (JSON.parse(res.body) as { spec?: { renewTime?: string } }).spec?.renewTime;
}
