// Certificate rotation from a Temporal Schedule (created the way the API creates it, 1 minute interval): it
// fires, the certificates on the nodes change (new serials), the components that read them restart, the
// cluster stays healthy and the admin kubeconfig works. A scheduled run while the cluster is busy is skipped.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import { store } from '../../activities/clusterState.ts';
import type { ScheduledRun } from '../../activities/lifecycleState.ts';
import { Schedules } from '../../api/service/schedules.ts';
import { clusterWorkflowId, statusQuery } from '../../workflows/types.ts';
import { LAB_KUBECTL } from '../support/cluster.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { type LabHost, labDown, labExec, labImages, labUp } from '../support/lab.ts';
import { startTestWorker, type TestTemporal, testTemporal } from '../support/temporal.ts';
import { healthyNodes, type Kubectl, labSpec, provision, run, SKIP } from './lifecycle-harness.ts';

let t: TestTemporal;
let worker: { taskQueue: string; stop(): Promise<void> };
let hosts: LabHost[];
let k: Kubectl;

before(async () => {
  if (SKIP) return;
  t = await testTemporal();
  hosts = await labUp(3);
  await labImages();
  worker = await startTestWorker(t);
});
after(async () => {
  if (SKIP) return;
  await worker.stop();
  await labDown();
  await t.close();
});

const ops = () => ({ t, taskQueue: worker.taskQueue });
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
  for (const h of hosts) {
    for (const cert of [...CERTS, etcdCert(h)].filter((c) => c !== 'kube-apiserver' || h === hosts[0]))
      out[`${h.name}:${cert}`] = await serial(h.name, cert);
    for (const c of ['etcd', 'kubelet', 'kube-proxy', ...(h === hosts[0] ? ['kube-apiserver'] : [])])
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
      hosts.map((h, i) => [h.name, i === 0 ? ['etcd', 'controlplane', 'worker'] : ['etcd', 'worker']]),
    );
    k = await provision(ops(), labSpec('rot', hosts, roles));
    const rotation = run(ops(), 'rotateCertificates', { cluster: 'rot' });
    await eventually('the rotation is restarting components', async () => {
      const s = await t.client.workflow.getHandle(clusterWorkflowId('rot')).query(statusQuery);
      assert.ok(s.step.startsWith('restart'), s.step);
    });
    const outcome = await t.client.workflow.execute('scheduledOperation', {
      taskQueue: worker.taskQueue,
      workflowId: 'zke-schedule/rot/snapshot-test',
      args: [{ cluster: 'rot', operation: 'snapshot' }],
    });
    assert.equal(outcome.outcome, 'skipped: busy');
    assert.equal((await rotation).status.phase, 'succeeded');
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
    const schedules = new Schedules(t.client, worker.taskQueue);
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
    const handle = t.client.workflow.getHandle(clusterWorkflowId('rot'));
    assert.equal(
      (await handle.describe()).type,
      'rotateCertificates',
      'the schedule ran the rotation under the cluster lock',
    );
    const after = await snapshotOf();
    for (const key of Object.keys(before)) assert.notEqual(after[key], before[key], `${key} changed`);
    await healthyNodes(
      k,
      hosts.map((h) => h.name),
    );
    const fresh = kubectl(LAB_KUBECTL, adminKubeconfigFile('rot'));
    assert.match(await fresh('get', 'nodes', '-o', 'name'), new RegExp(`node/${hosts[1].name}`));
    const expiry = store().read<Record<string, string>>('rot', 'pki-expiry') ?? {};
    assert.ok(Date.parse(expiry['kube-node']) > Date.now(), 'the expiry of each certificate is reported');
  },
);
