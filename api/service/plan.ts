// Dry run: what applying a spec would change, host by host, compared with the applied revision's plan.
// (The workers compare against what hosts really run when they apply; this is the spec-level preview.)

import { createHash } from 'node:crypto';
import { readRevisionSpec } from '../../common/revisions.ts';
import { RollbackRefused, rollbackTarget, snapshotBefore } from '../../common/rollback.ts';
import { readEncryptionKeys } from '../../common/stateExport.ts';
import type { ClusterStore } from '../../common/store.ts';
import { addonsToPrune } from '../../model/addons/index.ts';
import { type ContainerChange, diffHost, type HostDiff, type HostNow, tokenNotes } from '../../model/diff.ts';
import { pkiInputOf, reissuedNames } from '../../model/pki/index.ts';
import type { CertBundle } from '../../model/pki/types.ts';
import {
  applyLayout,
  buildPlan,
  type ClusterPlan,
  describeStep,
  EtcdPlaneReplaced,
  type HostPlan,
  keyRotationPlanSteps,
  keyRotationRefusal,
  type PlannedFile,
  type PlanState,
  type PlanStep,
  renderTextFile,
  rollbackPlanSteps,
  rotationPlan,
} from '../../model/plan/index.ts';
import { networkPluginNotes } from '../../model/plan/networkNotes.ts';
import { REDACTED } from '../../model/spec/redact.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';

export interface PlanView {
  cluster: string;
  fromRevision?: number;
  toRevision?: number;
  kubernetesVersion: { from?: string; to: string };
  /** The step names of the operation `zke up` would run, in order. */
  phases: string[];
  /** The same steps, each as one line: hosts and how it runs on them. */
  steps: string[];
  /** The addons applied, one line each, and those whose objects applying it deletes. */
  addons: string[];
  prunedAddons: string[];
  /** Why `zke up` would refuse the change before touching anything (then `steps` is empty). */
  refusal?: string;
  notes: string[];
  hosts: {
    host: string;
    address?: string;
    roles: string[];
    containers: ContainerChange[];
    files: { path: string; action: string; reasons: string[] }[];
  }[];
  summary: Record<'create' | 'replace' | 'remove' | 'unchanged', number>;
}

export interface PlanInput {
  target: ClusterSpec;
  toRevision?: number;
  applied?: ClusterSpec;
  fromRevision?: number;
  /** The etcd each member ran when last reconciled, and the oldest the cluster ran (the applied state's). */
  etcd?: Pick<PlanState, 'etcdImages' | 'etcdOrigin'>;
}

export function planChanges({ target, toRevision, applied, fromRevision, etcd }: PlanInput): PlanView {
  const appliedPlan =
    applied &&
    buildPlan(applied, {
      etcdMembers: etcdNames(applied),
      hosts: applied.nodes.map((n) => n.name),
      ...etcd,
    });
  const targetPlan = buildPlan(target, {
    etcdMembers: applied ? etcdNames(applied) : [],
    hosts: applied?.nodes.map((n) => n.name),
    ...etcd,
  });
  const now = (name: string) =>
    hostNow(
      appliedPlan?.hosts.find((h) => h.name === name),
      applied,
    );
  const hash = (file: PlannedFile) => fileHash(file, target);
  const diffs = [
    ...targetPlan.hosts.map((host) => diffHost(host.name, host, now(host.name), hash)),
    ...targetPlan.removedHosts.map((name) => diffHost(name, undefined, now(name), hash)),
  ];
  return {
    cluster: target.clusterName,
    fromRevision,
    toRevision,
    kubernetesVersion: { from: applied?.kubernetesVersion, to: target.kubernetesVersion },
    phases: targetPlan.steps.map((s) => s.name),
    steps: targetPlan.steps.map(describeStep),
    refusal: targetPlan.refusal,
    notes: [
      ...(targetPlan.notes ?? []),
      ...networkPluginNotes(applied, target),
      ...tokenNotes(appliedPlan, targetPlan),
    ],
    addons: [...targetPlan.addons],
    prunedAddons: applied ? addonsToPrune(applied, target) : [],
    hosts: diffs.map((diff) => hostView(diff, targetPlan)),
    summary: summarize(diffs),
  };
}

const etcdNames = (spec: ClusterSpec) =>
  spec.nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.name);

/** The applied plan of a host, in the shape the diff reads from a live host. */
function hostNow(host: HostPlan | undefined, applied: ClusterSpec | undefined): HostNow {
  if (!host || !applied) return { containers: [], files: [] };
  return {
    containers: host.containers,
    files: host.files.map((f) => ({ path: f.path, mode: f.mode, hash: fileHash(f, applied) })),
  };
}

/** The stored encryption key never reaches the API: its text is compared with a placeholder key. */
const PLACEHOLDER_SECRETS = { encryptionKeys: [{ name: 'stored', secret: REDACTED }] };

/** Text files hash their rendered content; PKI files their reference (the PKI is compared when applied). */
function fileHash(file: PlannedFile, spec: ClusterSpec): string {
  const text =
    file.content.kind === 'text'
      ? renderTextFile(file.content.name, spec, PLACEHOLDER_SECRETS)
      : JSON.stringify(file.content);
  return createHash('sha256').update(text).digest('hex');
}

function hostView(diff: HostDiff, plan: ClusterPlan): PlanView['hosts'][number] {
  const host = plan.hosts.find((h) => h.name === diff.host);
  return {
    host: diff.host,
    address: host?.address,
    roles: [...(host?.roles ?? [])],
    containers: [...diff.containers],
    files: diff.files.map((f) => ({ path: f.path, action: f.action, reasons: [...f.reasons] })),
  };
}

function summarize(diffs: HostDiff[]): PlanView['summary'] {
  const summary = { create: 0, replace: 0, remove: 0, unchanged: 0 };
  for (const change of diffs.flatMap((d) => d.containers)) summary[change.action] += 1;
  return summary;
}

/** The dry-run of a day-2 operation: the steps its workflow will run, or why it would refuse. */
export interface OperationPlanView {
  cluster: string;
  operation: 'rollback' | 'rotate-certificates' | 'rotate-encryption-key';
  /** The applied revision. */
  fromRevision?: number;
  /** A rollback's target revision. */
  toRevision?: number;
  /** A rotation's re-issued certificates. */
  certificates?: string[];
  phases: string[];
  steps: string[];
  refusal?: string;
}

interface Applied extends PlanState {
  revision?: number;
}

/** The applied revision's state record (empty before the first success) and its spec. */
export function appliedOf(store: ClusterStore, cluster: string): { state: Applied; spec?: ClusterSpec } {
  const state = store.read<Applied>(cluster, 'current') ?? {};
  const spec = state.revision === undefined ? undefined : readRevisionSpec(store, cluster, state.revision);
  return { state, spec };
}

const stepsView = (steps: PlanStep[]) => ({
  phases: steps.map((s) => s.name),
  steps: steps.map(describeStep),
});

/** What `rollbackCluster` would run: the target revision the workflow picks, applied to the current state. */
export function rollbackDryRun(
  store: ClusterStore,
  cluster: string,
  request: { toRevision?: number; restoreSnapshot?: boolean },
): OperationPlanView {
  const applied = store.read<Applied>(cluster, 'current') ?? {};
  const view = { cluster, operation: 'rollback' as const, fromRevision: applied.revision };
  try {
    const to = rollbackTarget(store, cluster, request.toRevision);
    if (request.restoreSnapshot) snapshotBefore(store, cluster, to);
    const spec = readRevisionSpec(store, cluster, to);
    if (!spec) throw new RollbackRefused(`cluster ${cluster} has no revision ${to}`);
    const steps = rollbackPlanSteps(applyLayout(spec, applied), request.restoreSnapshot === true);
    return { ...view, toRevision: to, ...stepsView(steps) };
  } catch (err) {
    if (!(err instanceof RollbackRefused || err instanceof EtcdPlaneReplaced)) throw err;
    return { ...view, phases: [], steps: [], refusal: err.message };
  }
}

/** What `rotateCertificates` would run on the applied revision: the certificates re-issued, the restarts. */
export function rotationDryRun(
  store: ClusterStore,
  cluster: string,
  request: { services?: string[]; ca?: boolean },
  now = new Date(),
): OperationPlanView {
  const { state: applied, spec } = appliedOf(store, cluster);
  const view = { cluster, operation: 'rotate-certificates' as const, fromRevision: applied.revision };
  if (!spec) return { ...view, phases: [], steps: [], refusal: `cluster ${cluster} has no applied revision` };
  const previous = store.read<CertBundle>(cluster, 'pki') ?? {};
  const certificates = reissuedNames(pkiInputOf(spec, now.toISOString()), previous, { rotate: request });
  const { steps } = rotationPlan(spec, applied, certificates, request.ca === true);
  return { ...view, certificates, ...stepsView(steps) };
}

/** What `rotateEncryptionKey` would run on the applied revision, or why it refuses. */
export function keyRotationDryRun(store: ClusterStore, cluster: string): OperationPlanView {
  const { state: applied, spec } = appliedOf(store, cluster);
  const view = { cluster, operation: 'rotate-encryption-key' as const, fromRevision: applied.revision };
  const refusal = spec
    ? keyRotationRefusal(cluster, spec, readEncryptionKeys(store, cluster).length > 0)
    : `cluster ${cluster} has no applied revision`;
  if (refusal || !spec) return { ...view, phases: [], steps: [], refusal };
  return { ...view, ...stepsView(keyRotationPlanSteps(applyLayout(spec, applied))) };
}
