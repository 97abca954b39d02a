// RotateCertificates: re-issue certificates (all service certificates, chosen services, or the CA and every
// certificate), put them on the hosts, and restart exactly the containers that read them, with health gates:
// etcd, then the control plane, then the workers. Without a CA change hosts restart one at a time (workers in
// windows of max_unavailable_worker); a new CA is only trusted once every peer has it, so each plane then
// restarts at once and the kube-system pods are recreated. The admin kubeconfig is rewritten; each
// certificate's expiry is reported.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { HostRestarts } from '../activities/rotation.ts';
import { onEveryHost } from './hostSteps.ts';
import { useAppliedRevision } from './lifecycle.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { runOperation } from './provisionCluster.ts';
import { rollGroup, throwIfFailed } from './rolling.ts';
import type { OperationResult, RotateCertificatesInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);

export const ROTATE_STEPS = [
  'certificates',
  'deploy certificates',
  'restart etcd',
  'restart control plane',
  'restart workers',
  'kube-system pods',
  'kubeconfig',
] as const;

const PLANES = {
  etcd: ['etcd', 'etcd-rolling-snapshots'],
  controlplane: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
} as const;

type Ref = { cluster: string; revision: number };

export async function rotateCertificates(input: RotateCertificatesInput): Promise<OperationResult> {
  const { cluster } = input;
  return runOperation('rotate-certificates', cluster, undefined, ROTATE_STEPS, async (p) => {
    const ref = { cluster, revision: await useAppliedRevision(p, cluster) };
    const rotate = { services: input.services, ca: input.ca };
    const pki = await p.step('certificates', () => local.ensurePki({ ...ref, rotate }));
    const certs = pki.changes.map((c) => c.name);
    p.event(`re-issued: ${certs.join(', ') || 'nothing'}`);
    const layout = await local.loadClusterLayout(ref);
    await p.step('deploy certificates', () =>
      onEveryHost(
        p,
        'deploy certificates',
        layout.hosts.map((h) => h.name),
        layout.maxParallelHosts,
        (host) => short.deployHostFiles({ ...ref, host }),
      ),
    );
    const restarts = await local.rotationRestarts({ ...ref, certs });
    const atOnce = input.ca === true;
    await p.step('restart etcd', async () => {
      const healthy = () => long.waitEtcdHealthy(ref);
      const etcd = only(restarts, PLANES.etcd);
      await restartPlane(p, ref, 'restart etcd', etcd, atOnce ? 50 : 1, atOnce ? undefined : healthy);
      if (atOnce && etcd.some((r) => r.containers.length)) await healthy();
    });
    await p.step('restart control plane', () =>
      restartPlane(p, ref, 'restart control plane', only(restarts, PLANES.controlplane), atOnce ? 50 : 1),
    );
    const workers = except(restarts, [...PLANES.etcd, ...PLANES.controlplane]);
    const limit = atOnce ? layout.maxParallelHosts : (await short.planUpgrade(ref)).maxUnavailableWorker;
    await p.step('restart workers', () => restartPlane(p, ref, 'restart workers', workers, limit));
    await p.step('kube-system pods', async () => {
      if (!atOnce) return p.event('the CA did not change: pods keep running');
      const { deleted } = await long.deleteSystemPods(ref);
      p.event(`recreating ${deleted.length} kube-system pod(s)`);
    });
    await p.step('kubeconfig', () => short.writeKubeconfig(ref));
    for (const [name, notAfter] of Object.entries(pki.expiry).sort(([, a], [, b]) => a.localeCompare(b)))
      p.event(`expires ${notAfter}: ${name}`);
    return [];
  });
}

const only = (restarts: HostRestarts[], names: readonly string[]) =>
  restarts.map((r) => ({ ...r, containers: r.containers.filter((c) => names.includes(c)) }));
const except = (restarts: HostRestarts[], names: readonly string[]) =>
  restarts.map((r) => ({ ...r, containers: r.containers.filter((c) => !names.includes(c)) }));

/** Restarts each host's containers in a window; `gate` runs after each host (a cluster-wide health check). */
async function restartPlane(
  p: Progress,
  ref: Ref,
  step: string,
  restarts: HostRestarts[],
  limit: number,
  gate?: () => Promise<unknown>,
) {
  const hosts = restarts.filter((r) => r.containers.length > 0);
  const outcome = await rollGroup(
    p,
    step,
    hosts.map((h) => h.host),
    limit,
    async (host) => {
      const { containers } = hosts.find((h) => h.host === host)!;
      p.event(`${host}: restart ${containers.join(', ')}`);
      await long.restartContainers({ ...ref, host, containers });
      await gate?.();
    },
  );
  throwIfFailed(step, outcome);
}
