// Certificate rotation from a Temporal Schedule (created the way the API creates it, 1 minute interval): it
// fires, the certificates on the nodes change (new serials), the components that read them restart, the
// cluster stays healthy and the admin kubeconfig works. A scheduled run while the cluster is busy is skipped.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { store } from '../../activities/clusterState.ts';
import type { ScheduledRun } from '../../activities/lifecycleState.ts';
import { rotationDryRun } from '../../api/service/plan.ts';
import { Schedules } from '../../api/service/schedules.ts';
import { clusterWorkflowId, statusQuery } from '../../workflows/types.ts';
import { LAB_KUBECTL } from '../support/cluster.ts';
import { assertRanAsListed } from '../support/dryRun.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { type LabHost, labExec } from '../support/lab.ts';
import { healthyNodes, type Kubectl, labSpec, labSuite, provision, run, SKIP } from './lifecycle-harness.ts';

let k: Kubectl;

const suite = labSuite(3);

const ops = () => suite.ops();
const CERTS = ['kube-node', 'kube-proxy', 'kube-apiserver'];

async function serial(host: string, cert: string): Promise<string> {
  const pem = await labExec(host, ['cat', `/etc/kubernetes/ssl/${cert}.pem`]);
  assert.equal(pem.code, 0, `${host}: ${cert}.pem: ${pem.stderr}`);
  return new X509Certificate(pem.stdout).serialNumber;
}

async function startedAt(host: string, container: string): Promise<string> {
  return (await labExec(host, ['docker', 'inspect', '-f', '{{.State.StartedAt}}', container])).stdout.trim();
}

async function snapshotOf(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of suite.hosts) {
    for (const cert of [...CERTS, etcdCert(h)].filter((c) => c !== 'kube-apiserver' || h === suite.hosts[0]))
      out[`${h.name}:${cert}`] = await serial(h.name, cert);
    for (const c of ['etcd', 'kubelet', 'kube-proxy', ...(h === suite.hosts[0] ? ['kube-apiserver'] : [])])
      out[`${h.name}/${c}`] = await startedAt(h.name, c);
  }
  return out;
}

const etcdCert = (h: LabHost) => `kube-etcd-${h.address.replaceAll('.', '-')}`;

test(
  'a scheduled run while another operation holds the cluster records "skipped: busy"',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const roles = Object.fromEntries(
      suite.hosts.map((h, i) => [h.name, i === 0 ? ['etcd', 'controlplane', 'worker'] : ['etcd', 'worker']]),
    );
    k = await provision(ops(), labSpec('rot', suite.hosts, roles));
    const dry = rotationDryRun(store(), 'rot', {});
    const rotation = run(ops(), 'rotateCertificates', { cluster: 'rot' });
    await eventually('the rotation is restarting components', async () => {
      const s = await suite.t.client.workflow.getHandle(clusterWorkflowId('rot')).query(statusQuery);
      assert.ok(s.step.startsWith('restart'), s.step);
    });
    const outcome = await suite.t.client.workflow.execute('scheduledOperation', {
      taskQueue: suite.taskQueue,
      workflowId: 'zke-schedule/rot/snapshot-test',
      args: [{ cluster: 'rot', operation: 'snapshot' }],
    });
    assert.equal(outcome.outcome, 'skipped: busy');
    assert.equal((await rotation).status.phase, 'succeeded');
    await assertRanAsListed(ops().t.client, 'rot', dry);
    const runs = store().read<ScheduledRun[]>('rot', 'scheduled-runs') ?? [];
    assert.deepEqual(
      runs.map((r) => r.outcome),
      ['skipped: busy'],
    );
  },
);

test(
  'a rotation Schedule fires: new serials on the nodes, components restarted, cluster healthy, kubeconfig works',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const before = await snapshotOf();
    const schedules = new Schedules(suite.t.client, suite.taskQueue);
    await schedules.create('rot', 'rotation', { interval: '1m' });
    try {
      await eventually(
        'a scheduled rotation succeeded',
        async () => {
          const runs = store().read<ScheduledRun[]>('rot', 'scheduled-runs') ?? [];
          assert.ok(
            runs.some((r) => r.outcome === 'rotate-certificates succeeded'),
            JSON.stringify(runs),
          );
        },
        480_000,
      );
    } finally {
      await schedules.remove('rot', 'rotation');
    }
    const handle = suite.t.client.workflow.getHandle(clusterWorkflowId('rot'));
    assert.equal(
      (await handle.describe()).type,
      'rotateCertificates',
      'the schedule ran the rotation under the cluster lock',
    );
    const after = await snapshotOf();
    for (const key of Object.keys(before)) assert.notEqual(after[key], before[key], `${key} changed`);
    await healthyNodes(
      k,
      suite.hosts.map((h) => h.name),
    );
    const fresh = kubectl(LAB_KUBECTL, adminKubeconfigFile('rot'));
    assert.match(await fresh('get', 'nodes', '-o', 'name'), new RegExp(`node/${suite.hosts[1].name}`));
    const expiry = store().read<Record<string, string>>('rot', 'pki-expiry') ?? {};
    assert.ok(Date.parse(expiry['kube-node']) > Date.now(), 'the expiry of each certificate is reported');
  },
);
