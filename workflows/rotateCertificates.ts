// RotateCertificates: re-issue certificates (all service certificates, chosen services, or the CA and every
// certificate), put them on the hosts, and restart exactly the containers that read them, with health gates:
// etcd, then the control plane, then the workers. Without a CA change hosts restart one at a time (workers in
// windows of max_unavailable_worker); a new CA is only trusted once every peer has it, so each plane then
// restarts at once and the kube-system pods are recreated. The admin kubeconfig is rewritten; each
// certificate's expiry is reported. The steps and their hosts are model/plan/rotation.ts: what the dry-run prints.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { type PlanStep, ROTATE_STEPS, type RotateStepName, restartsOf } from '../model/plan/steps.ts';
import { onStepHosts } from './hostSteps.ts';
import { useAppliedRevision } from './lifecycle.ts';
import { localStep, longStep, shortStep } from './options.ts';
import type { Progress } from './progress.ts';
import { runOperation } from './provisionCluster.ts';
import { rollGroup, throwIfFailed } from './rolling.ts';
import type { OperationResult, RotateCertificatesInput } from './types.ts';

const short = proxyActivities<Activities>(shortStep);
const long = proxyActivities<Activities>(longStep);
const local = proxyActivities<Activities>(localStep);

export { ROTATE_STEPS };

type Ref = { cluster: string; revision: number };
type Handler = (step: PlanStep<RotateStepName>) => Promise<unknown>;

export async function rotateCertificates(input: RotateCertificatesInput): Promise<OperationResult> {
  const { cluster } = input;
  const ca = input.ca === true;
  return runOperation('rotate-certificates', cluster, undefined, ROTATE_STEPS, async (p) => {
    const ref = { cluster, revision: await useAppliedRevision(p, cluster) };
    const pki = await p.step('certificates', () =>
      local.ensurePki({ ...ref, rotate: { services: input.services, ca: input.ca } }),
    );
    const certs = pki.changes.map((c) => c.name);
    p.event(`re-issued: ${certs.join(', ') || 'nothing'}`);
    const plan = await local.planRotation({ ...ref, certs, ca });
    const restart = (gate?: () => Promise<unknown>) => (step: PlanStep<RotateStepName>) =>
      restartStep(p, ref, step, restartsOf(step.name, plan.restarts), gate);
    const etcdHealthy = () => long.waitEtcdHealthy(ref);
    const handlers: Record<Exclude<RotateStepName, 'certificates'>, Handler> = {
      'deploy certificates': (step) =>
        onStepHosts(p, step, step.hosts, (host) => short.deployHostFiles({ ...ref, host })),
      'restart etcd': async (step) => {
        await restart(ca ? undefined : etcdHealthy)(step);
        if (ca && step.hosts.length) await etcdHealthy();
      },
      'restart control plane': restart(),
      'restart workers': restart(),
      'kube-system pods': async () => {
        if (!ca) return p.event('the CA did not change: pods keep running');
        const { deleted } = await long.deleteSystemPods(ref);
        p.event(`recreating ${deleted.length} kube-system pod(s)`);
      },
      kubeconfig: () => short.writeKubeconfig(ref),
    };
    for (const step of plan.steps) {
      const name = step.name;
      if (name !== 'certificates') await p.step(name, () => handlers[name](step));
    }
    for (const [name, notAfter] of Object.entries(pki.expiry).sort(([, a], [, b]) => a.localeCompare(b)))
      p.event(`expires ${notAfter}: ${name}`);
    return [];
  });
}

/** How many of the step's hosts restart at once. */
function windowOf(step: PlanStep): number {
  if (step.run.mode === 'parallel') return step.run.limit;
  if (step.run.mode === 'rolling') return step.run.maxUnavailable;
  return 1;
}

/** Restarts each host's containers in the step's window; `gate` runs after each host (a health check). */
async function restartStep(
  p: Progress,
  ref: Ref,
  step: PlanStep,
  restarts: { host: string; containers: readonly string[] }[],
  gate?: () => Promise<unknown>,
) {
  const outcome = await rollGroup(p, step.name, step.hosts, windowOf(step), async (host) => {
    const containers = [...(restarts.find((r) => r.host === host)?.containers ?? [])];
    p.event(`${host}: restart ${containers.join(', ')}`);
    await long.restartContainers({ ...ref, host, containers });
    await gate?.();
  });
  throwIfFailed(step.name, outcome);
}
