// Shared by the day-2 lifecycle lab tests: a provisioned lab cluster, kubectl on it, node availability
// sampled while an operation runs, and the plan/host comparison.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { currentState, planStateOf } from '../../activities/clusterState.ts';
import { buildPlan } from '../../model/plan/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import type { OperationResult } from '../../workflows/types.ts';
import {
  k8sSkipReason,
  LAB_KUBECTL,
  type LabSpecOptions,
  labClusterYaml,
  managedContainers,
  parseOrThrow,
  type RoleMap,
  runOperation,
  submitRevision,
} from '../support/cluster.ts';
import { assertRanAsListed, provisionDryRun, upDryRun } from '../support/dryRun.ts';
import { adminKubeconfigFile, answersFromClientPod, eventually, kubectl } from '../support/kubectl.ts';
import { type LabHost, labDown, labImages, labUp } from '../support/lab.ts';
import { startTestWorker, type TestTemporal, testTemporal } from '../support/temporal.ts';

export const SKIP = k8sSkipReason();

export type Kubectl = ReturnType<typeof kubectl>;

export interface Ops {
  t: TestTemporal;
  taskQueue: string;
}

export interface LabSuite {
  /** Valid inside tests (set by `before`). */
  t: TestTemporal;
  taskQueue: string;
  hosts: LabHost[];
  ops(): Ops;
}

/**
 * The before/after of a lifecycle lab test file: Temporal, `n` lab hosts with the lab images, `setup` (more
 * lab services), a worker; all torn down after.
 */
export function labSuite(n: number, setup: () => Promise<void> = async () => {}): LabSuite {
  const suite = { ops: () => ({ t: suite.t, taskQueue: suite.taskQueue }) } as LabSuite;
  let worker: { taskQueue: string; stop(): Promise<void> } | undefined;
  before(async () => {
    if (SKIP) return;
    suite.t = await testTemporal();
    suite.hosts = await labUp(n);
    await labImages();
    await setup();
    worker = await startTestWorker(suite.t);
    suite.taskQueue = worker.taskQueue;
  });
  after(async () => {
    if (SKIP) return;
    await worker?.stop();
    await labDown();
    await suite.t.close();
  });
  return suite;
}

export function labSpec(name: string, hosts: LabHost[], roles: RoleMap, o: LabSpecOptions = {}): ClusterSpec {
  return parseOrThrow(labClusterYaml(name, hosts, roles, o));
}

export function run(ops: Ops, workflowType: string, input: Record<string, unknown> & { cluster: string }) {
  return runOperation(ops.t.client, ops.taskQueue, workflowType, input);
}

/** Provisions the spec; checks that the steps and hosts that ran are those its dry run listed. */
export async function provision(ops: Ops, spec: ClusterSpec): Promise<Kubectl> {
  const dry = provisionDryRun(spec);
  const result = await run(ops, 'provisionCluster', {
    cluster: spec.clusterName,
    revision: submitRevision(spec),
  });
  assert.equal(result.status.phase, 'succeeded', result.summary);
  await assertRanAsListed(ops.t.client, spec.clusterName, dry);
  return kubectl(LAB_KUBECTL, adminKubeconfigFile(spec.clusterName));
}

/** Submits the spec as a new revision and upgrades to it; once it succeeded, checks it ran as its dry run listed. */
export async function upgrade(ops: Ops, spec: ClusterSpec): Promise<OperationResult> {
  const dry = upDryRun(spec);
  const result = await run(ops, 'upgradeCluster', {
    cluster: spec.clusterName,
    revision: submitRevision(spec),
  });
  if (result.status.phase === 'succeeded') await assertRanAsListed(ops.t.client, spec.clusterName, dry);
  return result;
}

export interface NodeState {
  name: string;
  ready: boolean;
  unschedulable: boolean;
}

interface NodeList {
  items: {
    metadata: { name: string };
    spec: { unschedulable?: boolean };
    status: { conditions?: { type: string; status: string }[] };
  }[];
}

export async function nodeStates(k: Kubectl): Promise<NodeState[]> {
  const list = JSON.parse(await k('get', 'nodes', '-o', 'json')) as NodeList;
  return list.items.map((n) => ({
    name: n.metadata.name,
    ready: n.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
    unschedulable: n.spec.unschedulable === true,
  }));
}

/** Every listed node registered, Ready and schedulable, and no other node. */
/** The kubelet versions the nodes report, each once. */
export const kubeletVersions = async (k: Kubectl) => [
  ...new Set(
    (await k('get', 'nodes', '-o', 'jsonpath={.items[*].status.nodeInfo.kubeletVersion}')).split(' '),
  ),
];

/** Workloads a user would try: a web Deployment behind a Service, a client pod, path services behind an Ingress. */
export const WORKLOADS = fileURLToPath(new URL('./k8s/workloads.yaml', import.meta.url));

/** The web Deployment answers the client pod through its Service's cluster DNS name. */
export async function workloadAnswers(k: Kubectl): Promise<void> {
  await k('rollout', 'status', 'deployment/web', '--timeout=300s');
  await k('wait', '--for=condition=Ready', 'pod/client', '--timeout=300s');
  await answersFromClientPod(k, 'web.default.svc.cluster.local 80');
}

export async function healthyNodes(k: Kubectl, names: string[]): Promise<void> {
  await eventually('every node Ready and schedulable', async () => {
    const nodes = await nodeStates(k);
    assert.deepEqual(nodes.map((n) => n.name).sort(), [...names].sort());
    for (const n of nodes) assert.ok(n.ready && !n.unschedulable, `${n.name}: ${JSON.stringify(n)}`);
  });
}

/**
 * Samples node availability until stopped; reports the most nodes unavailable at one moment and how many
 * samples were taken. A sample can fail while the API server restarts: those are counted, with the last error,
 * and stop() throws when not one sample succeeded (a watch that saw nothing proves nothing).
 */
export function watchAvailability(k: Kubectl, everyMs = 1_000) {
  let running = true;
  let peak = 0;
  const seen = new Set<string>();
  let samples = 0;
  let failed = 0;
  let lastError = '';
  const loop = (async () => {
    while (running) {
      try {
        const down = (await nodeStates(k)).filter((n) => !n.ready || n.unschedulable).map((n) => n.name);
        peak = Math.max(peak, down.length);
        for (const n of down) seen.add(n);
        samples++;
      } catch (err) {
        failed++;
        lastError = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      assert.ok(samples > 0, `no availability sample succeeded (${failed} failed, the last: ${lastError})`);
      return { peak, seen: [...seen].sort(), samples, failed, lastError };
    },
  };
}

const bootstrapOnly = (args: string[]) => args.filter((a) => !a.startsWith('--initial-cluster'));

/**
 * What runs on every host is what the spec plans (etcd's bootstrap-only flags aside), given what the cluster
 * has run (etcd is never downgraded).
 */
export async function assertRunsPlan(spec: ClusterSpec): Promise<void> {
  const state = planStateOf(currentState(spec.clusterName));
  const { etcdImages, etcdOrigin } = state;
  for (const hostPlan of buildPlan(spec, { etcdImages, etcdOrigin }).hosts) {
    const running = await managedContainers(hostPlan.name);
    assert.deepEqual(
      running.map((r) => r.name).sort(),
      hostPlan.containers.map((c) => c.name).sort(),
      `${hostPlan.name} runs exactly the planned containers`,
    );
    for (const planned of hostPlan.containers) {
      const c = running.find((r) => r.name === planned.name)!;
      assert.equal(c.status, 'running', `${hostPlan.name}/${planned.name} is running`);
      assert.equal(c.image, planned.image, `${hostPlan.name}/${planned.name} image`);
      assert.deepEqual(
        bootstrapOnly(c.args),
        bootstrapOnly([...planned.command]),
        `${hostPlan.name}/${planned.name} args`,
      );
    }
  }
}
