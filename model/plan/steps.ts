// The ordered steps of an operation, the hosts each touches and how it runs on them: the one list the dry-runs
// (`zke plan`, `POST …/plan`) print and the provisioning workflow iterates, so the two cannot disagree.
import { type EtcdChanges, etcdRollOrder } from './topology.ts';

export const PHASE_CONTAINERS = {
  etcd: ['etcd', 'etcd-rolling-snapshots'],
  controlplane: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
  worker: ['nginx-proxy', 'cri-dockerd', 'kubelet', 'kube-proxy'],
} as const;

/** How a step runs: on the worker, through the Kubernetes API, or on its hosts in one of three ways. */
export type StepRun =
  | { readonly mode: 'local' }
  | { readonly mode: 'cluster' }
  | { readonly mode: 'one-at-a-time' }
  | { readonly mode: 'parallel'; readonly limit: number }
  /** At most maxUnavailable hosts at once (from `setting`); `first` hosts go one at a time before the others. */
  | {
      readonly mode: 'rolling';
      readonly maxUnavailable: number;
      readonly setting?: string;
      readonly first?: readonly string[];
    };

export interface PlanStep<Name extends string = string> {
  readonly name: Name;
  readonly description: string;
  /** Host (node) names, in order; empty for a step that touches no host. */
  readonly hosts: readonly string[];
  readonly run: StepRun;
  /** Containers this step reconciles on its hosts. */
  readonly containers: readonly string[];
}

/** What the steps depend on: the spec's hosts and bounds (a spec, or the layout a workflow loads). */
export interface StepLayout {
  readonly hosts: readonly {
    readonly name: string;
    readonly roles: readonly string[];
    /** Not provisioned before (an upgrade's layout says; a new cluster's hosts all are). */
    readonly isNew?: boolean;
  }[];
  readonly maxParallelHosts: number;
  /** `disable_port_check`: the "port check" step is left out. */
  readonly disablePortCheck?: boolean;
}

export const PROVISION_STEPS = [
  'check hosts',
  'port check',
  'certificates',
  'deploy certificates',
  'etcd plane',
  'control plane',
  'rbac',
  'worker plane',
  'network plugin',
  'addons',
  'node labels and taints',
  'kubeconfig',
] as const;
export type ProvisionStepName = (typeof PROVISION_STEPS)[number];

type StepBody = Omit<PlanStep, 'name'>;

const names = (layout: StepLayout, role?: string) =>
  layout.hosts.filter((h) => !role || h.roles.includes(role)).map((h) => h.name);
const local = (description: string): StepBody => ({
  description,
  hosts: [],
  run: { mode: 'local' },
  containers: [],
});
const cluster = (description: string): StepBody => ({ ...local(description), run: { mode: 'cluster' } });

/** `zke up` on a cluster not provisioned yet, in order. */
export function provisionPlan(layout: StepLayout): PlanStep<ProvisionStepName>[] {
  const all = names(layout);
  const parallel = { mode: 'parallel', limit: layout.maxParallelHosts } as const;
  const steps: Record<ProvisionStepName, StepBody> = {
    'check hosts': {
      description: 'SSH to every host, check Docker; unreachable worker-only hosts are skipped',
      hosts: all,
      run: parallel,
      containers: [],
    },
    'port check': {
      description:
        "bind each host's service ports (failing on one taken), reach the peers' etcd, API server, kubelet and VXLAN ports",
      hosts: all,
      run: parallel,
      containers: [],
    },
    certificates: local('create or reuse the cluster PKI and the at-rest encryption key'),
    'deploy certificates': {
      description: 'write certificates, kubeconfigs and config files',
      hosts: all,
      run: parallel,
      containers: [],
    },
    'etcd plane': {
      description: 'etcd members, one host at a time, then a health check',
      hosts: names(layout, 'etcd'),
      run: { mode: 'one-at-a-time' },
      containers: PHASE_CONTAINERS.etcd,
    },
    'control plane': {
      description: 'kube-apiserver, kube-controller-manager, kube-scheduler',
      hosts: names(layout, 'controlplane'),
      run: parallel,
      containers: PHASE_CONTAINERS.controlplane,
    },
    rbac: cluster('RBAC for nodes and the job deployer'),
    'worker plane': {
      description: 'nginx-proxy, cri-dockerd, kubelet, kube-proxy on every host',
      hosts: all,
      run: parallel,
      containers: PHASE_CONTAINERS.worker,
    },
    'network plugin': cluster('the network plugin'),
    addons: cluster('DNS, metrics-server, ingress, load balancer, user addons'),
    'node labels and taints': { ...cluster('sync node labels and taints'), hosts: all },
    kubeconfig: local('write the admin kubeconfig'),
  };
  return PROVISION_STEPS.filter((name) => name !== 'port check' || !layout.disablePortCheck).map((name) => ({
    name,
    ...steps[name],
  }));
}

/** Applying a revision to a provisioned cluster (upgrade, rollback). */
export const APPLY_STEPS = [
  'plan changes',
  'check hosts',
  'port check',
  'certificates',
  'deploy certificates',
  'etcd plane',
  'control plane',
  'worker plane',
  'removed hosts',
  'addons',
  'node labels and taints',
  'kubeconfig',
] as const;
export type ApplyStepName = (typeof APPLY_STEPS)[number];
export const UPGRADE_STEPS = ['etcd snapshot', ...APPLY_STEPS] as const;
/** `zke adopt`: its comparison; taking the cluster over adds 'take over' and then applies the revision. */
export const ADOPT_STEPS = ['check hosts', 'compare containers'] as const;
export const ADOPT_APPLY_STEPS = [...ADOPT_STEPS, 'take over', ...APPLY_STEPS] as const;
export type UpgradeStepName = (typeof UPGRADE_STEPS)[number];

export interface ApplyLayout extends StepLayout {
  /** The rolling windows (model/plan/bounds.ts rollingBounds). */
  readonly maxUnavailableControlplane: number;
  readonly maxUnavailableWorker: number;
  /** The settings the windows come from, shown by the dry-run. */
  readonly upgradeStrategy?: {
    readonly maxUnavailableControlplane: string;
    readonly maxUnavailableWorker: string;
  };
  /** Provisioned before, not in the spec any more. */
  readonly removedHosts: readonly string[];
  /** The etcd members kept, added and removed (model/plan/topology.ts). */
  readonly etcd: EtcdChanges;
}

/** Leaving members go first (through the members API), then kept members roll, then new ones join. */
function etcdStep(provision: StepBody, etcd: EtcdChanges): StepBody {
  const leaving = etcd.remove.length ? `members ${etcd.remove.join(', ')} removed, then ` : '';
  return {
    ...provision,
    description: `${leaving}each member rolled and each new one joined, one at a time, with a health check after each`,
    hosts: [...etcd.remove, ...etcdRollOrder(etcd, provision.hosts)],
  };
}

/** `zke up` (or `zke upgrade`) on a provisioned cluster, in order: an etcd snapshot, then the revision applied. */
export function upgradePlanSteps(layout: ApplyLayout): PlanStep<UpgradeStepName>[] {
  const snapshot: StepBody = {
    description: 'snapshot etcd on the applied revision (a rollback restores it)',
    hosts: [...layout.etcd.keep, ...layout.etcd.remove],
    run: { mode: 'parallel', limit: layout.maxParallelHosts },
    containers: [],
  };
  return [{ name: 'etcd snapshot', ...snapshot }, ...applyPlanSteps(layout)];
}

/** Applying a revision (upgrade, rollback), in order: what applyRevision iterates after its first step planned it. */
export function applyPlanSteps(layout: ApplyLayout): PlanStep<ApplyStepName>[] {
  const provision = Object.fromEntries(provisionPlan(layout).map((s) => [s.name, s]));
  const workers = layout.hosts.filter((h) => !h.roles.includes('controlplane'));
  const rolling = (maxUnavailable: number, setting?: string, first?: string[]): StepRun => ({
    mode: 'rolling',
    maxUnavailable,
    ...(setting ? { setting } : {}),
    ...(first?.length ? { first } : {}),
  });
  const settings = layout.upgradeStrategy;
  const steps: Record<ApplyStepName, StepBody> = {
    'plan changes': local('new and removed hosts, etcd members kept, added and removed'),
    'check hosts': provision['check hosts'],
    'port check': {
      description: "new hosts: bind their service ports, reach the other hosts' ports",
      hosts: layout.hosts.filter((h) => h.isNew).map((h) => h.name),
      run: { mode: 'parallel', limit: layout.maxParallelHosts },
      containers: [],
    },
    certificates: provision.certificates,
    'deploy certificates': provision['deploy certificates'],
    'etcd plane': etcdStep(provision['etcd plane'], layout.etcd),
    'control plane': {
      description: 'controlplane hosts: cordon, drain, reconcile control plane and worker, uncordon',
      hosts: names(layout, 'controlplane'),
      run: rolling(layout.maxUnavailableControlplane, settings?.maxUnavailableControlplane),
      containers: [...PHASE_CONTAINERS.controlplane, ...PHASE_CONTAINERS.worker],
    },
    'worker plane': {
      description: 'other hosts (those with etcd first, one at a time): cordon, drain, reconcile, uncordon',
      hosts: workers.map((h) => h.name),
      run: rolling(
        layout.maxUnavailableWorker,
        settings?.maxUnavailableWorker,
        workers.filter((h) => h.roles.includes('etcd')).map((h) => h.name),
      ),
      containers: PHASE_CONTAINERS.worker,
    },
    'removed hosts': {
      description:
        'hosts no longer in the spec: cordon, drain, delete the node, remove zke containers and files',
      hosts: layout.removedHosts,
      run: { mode: 'parallel', limit: layout.maxParallelHosts },
      containers: [],
    },
    addons: cluster(
      'rbac, network plugin, DNS, metrics-server, ingress, load balancer, user addons; then what a removed load balancer ran is deleted',
    ),
    'node labels and taints': provision['node labels and taints'],
    kubeconfig: provision.kubeconfig,
  };
  // as RKE: ports are checked when hosts join, and not at all with disable_port_check
  const portCheck = !layout.disablePortCheck && steps['port check'].hosts.length > 0;
  return APPLY_STEPS.filter((name) => name !== 'port check' || portCheck).map((name) => ({
    name,
    ...steps[name],
  }));
}

/** How a step runs, in words: "one host at a time", "rolling, at most 2 unavailable (10%)", ... */
export function describeRun(run: StepRun): string {
  switch (run.mode) {
    case 'local':
      return 'on the worker';
    case 'cluster':
      return 'through the Kubernetes API';
    case 'one-at-a-time':
      return 'one host at a time';
    case 'parallel':
      return `in parallel, at most ${run.limit} at once`;
    case 'rolling': {
      const first = run.first?.length ? `${run.first.join(', ')} one at a time, then ` : '';
      const setting = run.setting ? ` (${run.setting})` : '';
      return `${first}rolling, at most ${run.maxUnavailable} unavailable${setting}`;
    }
  }
}

/** One line of a dry-run: "etcd plane: one host at a time on cp1, cp2, cp3". */
export function describeStep(step: PlanStep): string {
  const on = step.hosts.length ? ` on ${step.hosts.join(', ')}` : '';
  const how =
    step.run.mode === 'local' || step.run.mode === 'cluster' || step.hosts.length
      ? describeRun(step.run)
      : 'no host';
  return `${step.name}: ${how}${on}`;
}

/**
 * A rollback: the target revision stored again as a new one, the certificates it ran with put back, then that
 * revision applied; with `restore`, the etcd snapshot the upgrade away from it took goes back before etcd is
 * touched, and every kubelet and kube-proxy restarts at the end.
 */
export function rollbackStepNames(restore: boolean): string[] {
  const head = ['revision', 'restore certificates'];
  return [
    ...head,
    ...withRestore([...APPLY_STEPS], restore, 'restore etcd snapshot', 'restart kubelets', (n) => n),
  ];
}

/** With `restore`: `snapshot` before the etcd plane, `kubelets` last (a rollback restoring its snapshot). */
function withRestore<T>(
  apply: T[],
  restore: boolean,
  snapshot: T,
  kubelets: T,
  nameOf: (item: T) => string,
): T[] {
  if (!restore) return apply;
  const etcdAt = apply.findIndex((item) => nameOf(item) === 'etcd plane');
  return [...apply.slice(0, etcdAt), snapshot, ...apply.slice(etcdAt), kubelets];
}

/** The rollback's steps (rollbackStepNames, less the steps the layout leaves out) with their hosts. */
export function rollbackPlanSteps(layout: ApplyLayout, restore: boolean): PlanStep[] {
  const parallel = { mode: 'parallel', limit: layout.maxParallelHosts } as const;
  const head: PlanStep[] = [
    { name: 'revision', ...local("store the target revision's spec as the next revision") },
    {
      name: 'restore certificates',
      ...local(
        restore
          ? "put back the certificates the target revision ran with, and the snapshot's encryption keys"
          : 'put back the certificates the target revision ran with',
      ),
    },
  ];
  const snapshot: PlanStep = {
    name: 'restore etcd snapshot',
    description: 'stop the control plane and etcd, restore every member from the snapshot, start etcd',
    hosts: names(layout, 'etcd'),
    run: parallel,
    containers: PHASE_CONTAINERS.etcd,
  };
  const kubelets: PlanStep = {
    name: 'restart kubelets',
    description: 'kubelet and kube-proxy start over from the restored API',
    hosts: names(layout),
    run: parallel,
    containers: ['kubelet', 'kube-proxy'],
  };
  return [
    ...head,
    ...withRestore<PlanStep>(applyPlanSteps(layout), restore, snapshot, kubelets, (s) => s.name),
  ];
}

/** `zke encrypt rotate-key` (Kubernetes' key rotation procedure), in order. */
export const KEY_ROTATION_STEPS = [
  'new key readable',
  'new key writes',
  'rewrite secrets',
  'old key dropped',
] as const;
export type KeyRotationStepName = (typeof KEY_ROTATION_STEPS)[number];

/**
 * The secrets encryption key rotated: every API server first reads a new key, then writes with it, then every
 * Secret is written back under it, then the old key goes. Each key change reaches the controlplane hosts one at
 * a time (encryption.yaml written, kube-apiserver restarted and healthy), so no API server ever meets a Secret
 * under a key it cannot read.
 */
export function keyRotationPlanSteps(layout: StepLayout): PlanStep<KeyRotationStepName>[] {
  const restart = (keys: string): StepBody => ({
    description: `keys ${keys}; each controlplane host in turn: encryption.yaml, kube-apiserver restarted and healthy`,
    hosts: names(layout, 'controlplane'),
    run: { mode: 'one-at-a-time' },
    containers: ['kube-apiserver'],
  });
  const steps: Record<KeyRotationStepName, StepBody> = {
    'new key readable': restart('[old, new]: the old one writes'),
    'new key writes': restart('[new, old]: the new one writes'),
    'rewrite secrets': cluster('every Secret read and written back unchanged: stored under the new key'),
    'old key dropped': restart('[new]'),
  };
  return KEY_ROTATION_STEPS.map((name) => ({ name, ...steps[name] }));
}

export const ROTATE_STEPS = [
  'certificates',
  'deploy certificates',
  'restart etcd',
  'restart control plane',
  'restart workers',
  'kube-system pods',
  'kubeconfig',
] as const;
export type RotateStepName = (typeof ROTATE_STEPS)[number];

/** The containers each host restarts to read the re-issued certificates (model/plan/certRestarts.ts). */
export interface HostRestarts {
  readonly host: string;
  readonly roles: readonly string[];
  readonly containers: readonly string[];
}

export interface RotationLayout extends StepLayout {
  /** Only hosts with something to restart. */
  readonly restarts: readonly HostRestarts[];
  /** A new CA: each plane restarts at once (a CA is only trusted once every peer has it). */
  readonly ca: boolean;
  readonly maxUnavailableWorker: number;
}

const ROTATION_PLANES = {
  'restart etcd': PHASE_CONTAINERS.etcd,
  'restart control plane': PHASE_CONTAINERS.controlplane,
} as const;

/** The restarts of one rotation step: etcd's and the control plane's containers, the rest for the workers. */
export function restartsOf(step: RotateStepName, restarts: readonly HostRestarts[]): HostRestarts[] {
  const planes = Object.values(ROTATION_PLANES).flat() as string[];
  const wanted = (c: string) =>
    step in ROTATION_PLANES
      ? (ROTATION_PLANES[step as keyof typeof ROTATION_PLANES] as readonly string[]).includes(c)
      : !planes.includes(c);
  return restarts
    .map((r) => ({ ...r, containers: r.containers.filter(wanted) }))
    .filter((r) => r.containers.length > 0);
}

/** `zke cert rotate`, in order: re-issue, deploy, then restart exactly the containers reading what changed. */
export function rotationPlanSteps(layout: RotationLayout): PlanStep<RotateStepName>[] {
  const parallel = { mode: 'parallel', limit: layout.maxParallelHosts } as const;
  const restart = (step: RotateStepName, run: StepRun, description: string): StepBody => {
    const hosts = restartsOf(step, layout.restarts);
    return { description, hosts: hosts.map((h) => h.host), run, containers: unique(hosts) };
  };
  const atOnce = { mode: 'parallel', limit: 50 } as const;
  const steps: Record<RotateStepName, StepBody> = {
    certificates: local('re-issue the certificates asked for (and any expiring or missing)'),
    'deploy certificates': { ...provisionPlan(layout).find((s) => s.name === 'deploy certificates')! },
    'restart etcd': restart(
      'restart etcd',
      layout.ca ? atOnce : { mode: 'one-at-a-time' },
      'etcd members reading a new certificate, with a health check',
    ),
    'restart control plane': restart(
      'restart control plane',
      layout.ca ? atOnce : { mode: 'one-at-a-time' },
      'control-plane containers reading a new certificate',
    ),
    'restart workers': restart(
      'restart workers',
      layout.ca
        ? parallel
        : { mode: 'rolling', maxUnavailable: layout.maxUnavailableWorker, setting: 'max_unavailable_worker' },
      'kubelet, kube-proxy and the others reading a new certificate',
    ),
    'kube-system pods': cluster(
      layout.ca
        ? 'delete the kube-system pods: their controllers recreate them with the new CA'
        : 'kept (same CA)',
    ),
    kubeconfig: local('rewrite the admin kubeconfig'),
  };
  return ROTATE_STEPS.map((name) => ({ name, ...steps[name] }));
}

const unique = (hosts: readonly HostRestarts[]) => [...new Set(hosts.flatMap((h) => h.containers))];
