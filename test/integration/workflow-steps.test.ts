// Workflow unit tests: the real provisionCluster and upgradeCluster workflows on Temporal's time-skipping test
// environment, with the activities that reach hosts replaced by recording stand-ins and those that only read or
// write the store built by createActivities on a store of their own. They check the order of the steps and of
// their activities, that a rolling window never has more hosts in flight than its bound, that a refused spec
// fails before any host is touched, and that failed activities are retried with the backoff their step class
// sets (workflows/options.ts), on the test server's clock, which skips ahead instead of waiting.
//
// The test server is Temporal's Java one (io.temporal:temporal-test-server from Maven Central), installed by
// scripts/temporal-test-server/install.sh (npm test sources it): the SDK's own download of the server needs a
// site this machine cannot reach.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import proto from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Activities, createActivities } from '../../activities/index.ts';
import { ClusterName, ClusterOperation, ClusterPhase } from '../../common/searchAttributes.ts';
import { type ClusterStore, FileClusterStore } from '../../common/store.ts';
import { dataConverter } from '../../common/temporal.ts';
import { buildPlan } from '../../model/plan/build.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { testDeps } from '../support/activityDeps.ts';
import { healthyHost } from '../support/fakeHosts.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestWorker, type TestTemporal } from '../support/temporal.ts';

let env: TestWorkflowEnvironment;
let temporal: TestTemporal;

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const TEST_SERVER =
  process.env.TEMPORAL_TEST_SERVER ?? path.resolve('.zke/tools/temporal-test-server-1.31.0/run');

before(async () => {
  if (!existsSync(TEST_SERVER))
    throw new Error(
      `no Temporal test server at ${TEST_SERVER}: source scripts/temporal-test-server/install.sh`,
    );
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: TEST_SERVER } },
    client: { dataConverter: dataConverter() },
  });
  // the test server takes no search attributes at start: the workflows upsert these
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      [ClusterName, ClusterOperation, ClusterPhase].map((a) => [a.name, KEYWORD]),
    ),
  });
  temporal = {
    address: env.address,
    client: env.client,
    connection: env.nativeConnection,
    close: () => env.teardown(),
  };
});
after(() => temporal?.close());

const CP = ['controlplane', 'worker'];
const ETCD = ['etcd', 'worker'];
const W = ['worker'];

function spec(name: string, nodes: [string, string[]][], extra: object = {}): ClusterSpec {
  const parsed = parseClusterSpec({
    cluster_name: name,
    nodes: nodes.map(([host, roles], i) => ({ name: host, address: `10.0.0.${11 + i}`, roles })),
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.spec;
}

/** A store of its own holding the cluster's revisions and, when given, the state of an applied one. */
function storeWith(cluster: string, revisions: ClusterSpec[], applied?: number): ClusterStore {
  const store = new FileClusterStore(path.join(tempDir('zke-wf'), 'clusters'));
  revisions.forEach((s, i) => {
    store.write(cluster, `revision/${i + 1}`, { number: i + 1, spec: s, createdAt: 'now', source: 'test' });
  });
  if (applied) {
    const nodes = revisions[applied - 1]!.nodes;
    store.write(cluster, 'current', {
      revision: applied,
      phase: 'running',
      hosts: nodes.map((n) => n.name),
      etcdMembers: nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.name),
    });
  }
  return store;
}

interface Call {
  activity: string;
  host?: string;
  /** The plane reconciled or the addon applied. */
  what?: string;
}

/** The activity and the plane or addon it is for, e.g. "reconcileHost(etcd)". */
const kindOf = (c: Call) => (c.what ? `${c.activity}(${c.what})` : c.activity);

/** Stand-ins for the host and Kubernetes API activities these workflows call: each records its call. */
class Hosts {
  readonly calls: Call[] = [];
  /** Hosts between their rolling start (pendingChanges) and their uncordon, per rolling group. */
  private readonly rolling = new Map<string, string>();
  readonly peak: Record<string, number> = {};
  /** Every attempt of a faulty activity: its number and when it ran, on the test server's clock. */
  readonly attempts: { attempt: number; at: number }[] = [];

  /**
   * `faults`: "kind host" (kind as in `sequence`) → how many attempts of it fail (Infinity: all), with a retryable error as a lost
   * connection gives.
   */
  constructor(
    private readonly groupOf: (host: string, planes: string[]) => string,
    private readonly faults: Record<string, number> = {},
  ) {}

  /** Records the call; a faulty one reads the test server's clock first (it stands still while an activity
   *  runs), then fails. */
  private async record(call: Call): Promise<void> {
    this.calls.push(call);
    const failing = this.faults[`${kindOf(call)} ${call.host}`];
    if (failing === undefined) return;
    const { attempt } = Context.current().info;
    this.attempts.push({ attempt, at: await env.currentTimeMs() });
    if (attempt <= failing) throw new Error(`SSH to ${call.host}:22: connect ECONNREFUSED`);
  }

  /** Resolves after `ms`, heartbeating: a reconcile takes long enough for a window to fill. */
  private async busy(ms: number): Promise<void> {
    Context.current().heartbeat();
    await new Promise((resolve) => setTimeout(resolve, ms));
  }

  activities(): Partial<Activities> {
    const host = (activity: string) => async (input: { host: string }) => {
      await this.record({ activity, host: input.host });
    };
    const a: Partial<Activities> = {
      checkClusterHost: async ({ host }) => {
        await this.record({ activity: 'checkClusterHost', host });
        return healthyHost(host);
      },
      openPortListeners: async ({ host }) => {
        await this.record({ activity: 'openPortListeners', host });
        return { host, listening: [] };
      },
      probeHostPorts: async ({ host }) => {
        await this.record({ activity: 'probeHostPorts', host });
        return { host, probed: 0 };
      },
      closePortListeners: host('closePortListeners'),
      ensurePki: async () => {
        await this.record({ activity: 'ensurePki' });
        return { changed: false, changes: [], expiry: {} };
      },
      deployHostFiles: async ({ host }) => {
        await this.record({ activity: 'deployHostFiles', host });
        return { written: [], unchanged: [] };
      },
      reconcileHost: async ({ host, plane }) => {
        await this.record({ activity: 'reconcileHost', host, what: plane });
        await this.busy(100);
        return { host, plane, actions: [] };
      },
      waitEtcdHealthy: async ({ hosts }) => {
        await this.record({ activity: 'waitEtcdHealthy' });
        return { members: hosts ?? [] };
      },
      applyAddon: async ({ addon }) => {
        await this.record({ activity: 'applyAddon', what: addon });
        return { addon, objects: 0, changed: false };
      },
      pruneAddon: async ({ addon }) => {
        await this.record({ activity: 'pruneAddon', what: addon });
        return { addon, deleted: [] };
      },
      syncNodes: async ({ hosts }) => {
        await this.record({ activity: 'syncNodes' });
        return { nodes: hosts?.length ?? 0 };
      },
      writeKubeconfig: async () => {
        await this.record({ activity: 'writeKubeconfig' });
        return { server: 'https://10.0.0.11:6443' };
      },
      snapshotEtcdHost: async ({ host, name }) => {
        await this.record({ activity: 'snapshotEtcdHost', host });
        return { host, path: `/opt/rke/etcd-snapshots/${name}`, size: 1, sha256: '0'.repeat(64) };
      },
      uploadSnapshot: async () => undefined,
      pendingChanges: async ({ host, planes }) => {
        await this.record({ activity: 'pendingChanges', host, what: planes.join('+') });
        if (!planes.includes('etcd')) this.enter(this.groupOf(host, planes), host);
        return { changes: [`${planes.join('+')}: replace (image)`], restarts: [] };
      },
      cordonNode: async ({ host }) => {
        await this.record({ activity: 'cordonNode', host });
        return { cordoned: true };
      },
      drainNode: async ({ host }) => {
        await this.record({ activity: 'drainNode', host });
        return { evicted: [], skipped: [] };
      },
      removeUnplannedContainers: async ({ host }) => {
        await this.record({ activity: 'removeUnplannedContainers', host });
        return [];
      },
      waitNodeReady: async ({ host }) => {
        await this.record({ activity: 'waitNodeReady', host });
        return { ready: true };
      },
      uncordonNode: async ({ host }) => {
        await this.record({ activity: 'uncordonNode', host });
        this.rolling.delete(host);
        return { uncordoned: true };
      },
    };
    return a;
  }

  private enter(group: string, host: string): void {
    this.rolling.set(host, group);
    const inFlight = [...this.rolling.values()].filter((g) => g === group).length;
    this.peak[group] = Math.max(this.peak[group] ?? 0, inFlight);
  }

  /** The calls as a sequence of kinds (activity and plane or addon), repeats of one kind shown once. */
  sequence(): string[] {
    const kinds = this.calls.map(kindOf);
    return kinds.filter((k, i) => k !== kinds[i - 1]);
  }
}

async function run(
  workflow: 'provisionCluster' | 'upgradeCluster',
  cluster: string,
  revision: number,
  store: ClusterStore,
  hosts: Hosts,
) {
  const worker = await startTestWorker(temporal, {
    ...createActivities({ ...testDeps(), store }),
    ...hosts.activities(),
  });
  try {
    return await temporal.client.workflow.execute(workflow, {
      taskQueue: worker.taskQueue,
      workflowId: `zke/${cluster}`,
      args: [{ cluster, revision }],
    });
  } finally {
    await worker.stop();
  }
}

test('provision runs the steps the dry-run lists, in order, each step’s activities after the previous step’s', async () => {
  const s = spec('prov', [
    ['e1', ['etcd', 'controlplane', 'worker']],
    ['e2', ETCD],
    ['e3', ETCD],
    ['w1', W],
  ]);
  const hosts = new Hosts(() => 'none');
  const result = await run('provisionCluster', 'prov', 1, storeWith('prov', [s]), hosts);
  assert.deepEqual(
    result.status.stepsDone,
    buildPlan(s).steps.map((step) => step.name),
  );
  assert.deepEqual(hosts.sequence(), [
    'checkClusterHost',
    'openPortListeners',
    'probeHostPorts',
    'closePortListeners',
    'ensurePki',
    'deployHostFiles',
    'reconcileHost(etcd)',
    'waitEtcdHealthy',
    'reconcileHost(controlplane)',
    'applyAddon(rbac)',
    'reconcileHost(worker)',
    'applyAddon(network)',
    'applyAddon(coredns)',
    'applyAddon(metrics-server)',
    'applyAddon(ingress)',
    'syncNodes',
    'writeKubeconfig',
  ]);
  const etcdHosts = hosts.calls.filter((c) => c.what === 'etcd').map((c) => c.host);
  assert.deepEqual(etcdHosts, ['e1', 'e2', 'e3'], 'etcd members start one at a time, in spec order');
});

/** Three controlplane hosts, three etcd hosts, five workers; windows of 2 on both planes. */
const rollingSpec = (version: string) =>
  spec(
    'roll',
    [
      ['c1', CP],
      ['c2', CP],
      ['c3', CP],
      ['e1', ETCD],
      ['e2', ETCD],
      ['e3', ETCD],
      ['w1', W],
      ['w2', W],
      ['w3', W],
      ['w4', W],
      ['w5', W],
    ],
    {
      kubernetes_version: version,
      upgrade_strategy: { max_unavailable_controlplane: '2', max_unavailable_worker: '2' },
    },
  );

test('an upgrade runs the dry-run’s steps and never has more hosts in flight than a window allows', async () => {
  const [from, to] = [rollingSpec('v1.33.13-rancher1-1'), rollingSpec('v1.34.4-rancher1-1')];
  const store = storeWith('roll', [from, to], 1);
  const group = (host: string, planes: string[]) =>
    planes.includes('controlplane') ? 'control plane' : host.startsWith('e') ? 'etcd hosts' : 'workers';
  const hosts = new Hosts(group);
  const dryRun = buildPlan(to, store.read('roll', 'current'));
  const result = await run('upgradeCluster', 'roll', 2, store, hosts);
  assert.deepEqual(
    result.status.stepsDone,
    dryRun.steps.map((step) => step.name),
  );
  assert.deepEqual(hosts.peak, { 'control plane': 2, 'etcd hosts': 1, workers: 2 });
  const uncordoned = hosts.calls.filter((c) => c.activity === 'uncordonNode').map((c) => c.host);
  assert.deepEqual(new Set(uncordoned), new Set(to.nodes.map((n) => n.name)), 'every host rolled');
  const seq = hosts.sequence();
  const at = (kind: string) => seq.indexOf(kind);
  assert.ok(at('snapshotEtcdHost') < at('checkClusterHost'), 'the snapshot comes first');
  assert.ok(
    at('reconcileHost(etcd)') < at('pendingChanges(controlplane+worker)'),
    'etcd before control plane',
  );
  assert.ok(
    at('pendingChanges(controlplane+worker)') < at('pendingChanges(worker)'),
    'control plane before workers',
  );
  assert.ok(seq.lastIndexOf('uncordonNode') < at('applyAddon(rbac)'), 'addons after every host rolled');
});

test('a spec that replaces every etcd member is refused, as the dry-run says, before any host step', async () => {
  const from = spec('swap', [
    ['a', ['etcd', 'controlplane', 'worker']],
    ['b', ETCD],
  ]);
  const to = spec('swap', [
    ['a', CP],
    ['x', ETCD],
    ['y', ETCD],
  ]);
  const store = storeWith('swap', [from, to], 1);
  const refusal = buildPlan(to, store.read('swap', 'current')).refusal;
  assert.match(refusal ?? '', /a, b/, 'the dry-run refuses, naming the members');
  const hosts = new Hosts(() => 'none');
  const failure = await run('upgradeCluster', 'swap', 2, store, hosts).then(
    () => assert.fail('the upgrade ran'),
    (err: unknown) => err,
  );
  assert.ok(failure instanceof WorkflowFailedError);
  assert.equal(failure.cause?.message, refusal);
  assert.deepEqual(hosts.calls, [], 'no activity reached a host');
  assert.equal(store.read<{ phase: string }>('swap', 'current')?.phase, 'unavailable');
});

/** The waits between a faulty activity's attempts on the test server's clock, in whole seconds. */
function backoffSeconds(hosts: Hosts): number[] {
  const times = hosts.attempts.map((a) => a.at);
  return times.slice(1).map((t, i) => Math.floor((t - times[i]!) / 1000));
}

test('an unreachable worker is tried 4 times, 2 s, 4 s and 8 s apart (probeStep), then skipped', async () => {
  const s = spec('skip', [
    ['e1', ['etcd', 'controlplane', 'worker']],
    ['w1', W],
  ]);
  const hosts = new Hosts(() => 'none', { 'checkClusterHost w1': Infinity });
  const result = await run('provisionCluster', 'skip', 1, storeWith('skip', [s]), hosts);
  assert.deepEqual(
    hosts.attempts.map((a) => a.attempt),
    [1, 2, 3, 4],
  );
  assert.deepEqual(backoffSeconds(hosts), [2, 4, 8]);
  assert.deepEqual(result.skippedHosts, ['w1']);
  assert.equal(result.summary, 'incomplete: hosts [w1] skipped');
  const reconciled = hosts.calls.filter((c) => c.activity === 'reconcileHost').map((c) => c.host);
  assert.deepEqual([...new Set(reconciled)], ['e1'], 'the skipped worker gets nothing');
});

test('an etcd host that fails twice is retried 2 s, then 4 s later (longStep) and provisioning succeeds', async () => {
  const s = spec('flaky', [
    ['e1', ['etcd', 'controlplane', 'worker']],
    ['e2', ETCD],
  ]);
  const hosts = new Hosts(() => 'none', { 'reconcileHost(etcd) e2': 2 });
  const result = await run('provisionCluster', 'flaky', 1, storeWith('flaky', [s]), hosts);
  assert.equal(result.status.phase, 'succeeded');
  assert.deepEqual(
    hosts.attempts.map((a) => a.attempt),
    [1, 2, 3],
  );
  assert.deepEqual(backoffSeconds(hosts), [2, 4]);
  assert.deepEqual(
    result.status.stepsDone,
    buildPlan(s).steps.map((step) => step.name),
  );
});
