// A certificate rotation's plan: which containers on which hosts read the re-issued certificates, and the
// steps that restart them. The workflow runs it; the dry-run (`zke cert rotate --dry-run`) prints it.
import type { ClusterSpec } from '../spec/types.ts';
import { rollingBounds } from './bounds.ts';
import { buildPlan } from './build.ts';
import { containersToRestart } from './certRestarts.ts';
import { type HostRestarts, type PlanStep, type RotateStepName, rotationPlanSteps } from './steps.ts';
import type { PlanState } from './types.ts';

export interface RotationPlan {
  readonly steps: PlanStep<RotateStepName>[];
  /** Per host, the containers to restart (only hosts with some). */
  readonly restarts: HostRestarts[];
}

/** `certs`: the certificates re-issued; `ca`: the CA is among them (each plane then restarts at once). */
export function rotationPlan(
  spec: ClusterSpec,
  state: PlanState,
  certs: readonly string[],
  ca: boolean,
): RotationPlan {
  const { hosts } = buildPlan(spec, state);
  const restarts = hosts
    .map((h) => ({ host: h.name, roles: [...h.roles], containers: containersToRestart(h, certs) }))
    .filter((h) => h.containers.length > 0);
  const { maxUnavailableWorker } = rollingBounds(spec.nodes, spec.upgradeStrategy);
  const layout = { hosts, maxParallelHosts: spec.maxParallelHosts, restarts, ca, maxUnavailableWorker };
  return { steps: rotationPlanSteps(layout), restarts };
}
