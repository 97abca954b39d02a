// The plan of a host against what the host has now: per container create / replace (with reasons) / remove /
// unchanged, and the same for files by content hash. Pure: callers read Docker and hash files.
import { MANAGED_LABEL } from './plan/container.ts';
import type { ClusterPlan, FileContent, PlannedContainer, PlannedFile } from './plan/types.ts';

export type ChangeAction = 'create' | 'replace' | 'remove' | 'unchanged';

/** A container as read back from `docker inspect`, with the env its image sets (ignored when comparing). */
export interface CurrentContainer extends Omit<PlannedContainer, 'healthcheck' | 'pulls' | 'userDirs'> {
  readonly imageEnv?: readonly string[];
}

export type ContainerField =
  | 'image'
  | 'command'
  | 'env'
  | 'binds'
  | 'networkMode'
  | 'pidMode'
  | 'privileged'
  | 'restartPolicy'
  | 'labels'
  | 'user';

export interface ChangeReason {
  readonly field: ContainerField;
  /** What changed, e.g. `-"--max-pods=110" +"--max-pods=150"`. */
  readonly detail: string;
}

export interface ContainerChange {
  readonly name: string;
  readonly action: ChangeAction;
  readonly reasons: readonly ChangeReason[];
}

const show = (v: unknown) => JSON.stringify(v);

/** Entries only in `from` (-) and only in `to` (+); empty when both hold the same entries. */
function setDelta(from: readonly string[], to: readonly string[]): string {
  const before = new Set(from);
  const after = new Set(to);
  const removed = [...before].filter((x) => !after.has(x)).map((x) => `-${show(x)}`);
  const added = [...after].filter((x) => !before.has(x)).map((x) => `+${show(x)}`);
  return [...removed, ...added].join(' ');
}

function listDelta(from: readonly string[], to: readonly string[]): string | null {
  if (from.length === to.length && from.every((x, i) => x === to[i])) return null;
  return setDelta(from, to) || 'argument order';
}

const zkeLabels = (labels: Readonly<Record<string, string>>) =>
  Object.entries(labels)
    .filter(([key]) => key.startsWith('io.zke.'))
    .map(([key, value]) => `${key}=${value}`)
    .sort();

/**
 * Arguments a program reads only when it starts from empty data: etcd's bootstrap flags. A running member is
 * not replaced because the member list or `new`/`existing` changed (etcd would ignore them anyway).
 */
const BOOTSTRAP_ONLY: Readonly<Record<string, RegExp>> = {
  etcd: /^--initial-cluster(-state|-token)?=/,
};

function comparedArgs(name: string, command: readonly string[]): readonly string[] {
  const ignored = BOOTSTRAP_ONLY[name];
  return ignored ? command.filter((arg) => !ignored.test(arg)) : command;
}

/** Why `current` must be replaced to become `planned`; empty when it already is. */
export function containerReasons(planned: PlannedContainer, current: CurrentContainer): ChangeReason[] {
  const imageEnv = new Set(current.imageEnv ?? []);
  const ownEnv = (env: readonly string[]) => env.filter((e) => !imageEnv.has(e));
  const args = (c: { command: readonly string[] }) => comparedArgs(planned.name, c.command);
  const deltas: [ContainerField, string | null][] = [
    ['image', planned.image === current.image ? null : `${current.image} -> ${planned.image}`],
    ['command', listDelta(args(current), args(planned))],
    ['env', setDelta(ownEnv(current.env), ownEnv(planned.env)) || null],
    ['binds', setDelta(current.binds, planned.binds) || null],
    ['labels', setDelta(zkeLabels(current.labels), zkeLabels(planned.labels)) || null],
    [
      'user',
      (planned.user ?? '') === (current.user ?? '')
        ? null
        : `${show(current.user ?? '')} -> ${show(planned.user ?? '')}`,
    ],
  ];
  for (const field of ['networkMode', 'pidMode', 'privileged', 'restartPolicy'] as const) {
    const same = planned[field] === current[field];
    deltas.push([field, same ? null : `${show(current[field])} -> ${show(planned[field])}`]);
  }
  return deltas
    .filter(([, detail]) => detail !== null)
    .map(([field, detail]) => ({ field, detail: detail! }));
}

export function isManaged(container: Pick<CurrentContainer, 'labels'>): boolean {
  return container.labels[MANAGED_LABEL] === 'true';
}

/** The label RKE puts on every container it runs (its value: the container's name). */
export const RKE_CONTAINER_LABEL = 'io.rancher.rke.container.name';

/** A container RKE runs (a cluster zke adopts): zke's of the same name replaces it, or it goes. */
export function isRkes(container: Pick<CurrentContainer, 'labels'>): boolean {
  return RKE_CONTAINER_LABEL in container.labels;
}

/** Planned containers in plan order, then managed (or RKE's) containers that are not planned. */
export function diffContainers(
  planned: readonly PlannedContainer[],
  current: readonly CurrentContainer[],
): ContainerChange[] {
  const byName = new Map(current.map((c) => [c.name, c]));
  const changes: ContainerChange[] = planned.map((p) => {
    const now = byName.get(p.name);
    if (!now) return { name: p.name, action: 'create', reasons: [] };
    const reasons = containerReasons(p, now);
    return { name: p.name, action: reasons.length > 0 ? 'replace' : 'unchanged', reasons };
  });
  const plannedNames = new Set(planned.map((p) => p.name));
  const removals = current
    .filter((c) => (isManaged(c) || isRkes(c)) && !plannedNames.has(c.name))
    .map((c) => ({ name: c.name, action: 'remove' as const, reasons: [] }));
  return [...changes, ...removals];
}

/**
 * One line of a host's comparison: `name: action (reasons)`, saying when the container is RKE's (its reasons:
 * the fields in which zke's differs; RKE's helpers zke does not run are removed).
 */
export function describeChange(change: ContainerChange, current: CurrentContainer | undefined): string {
  const rkes = current !== undefined && isRkes(current);
  const fields = change.reasons.map((r) => r.field).join(', ');
  if (change.action === 'remove' && rkes) return `${change.name}: remove (RKE's, zke runs no such container)`;
  if (change.action === 'replace' && rkes) return `${change.name}: replace RKE's (${fields})`;
  return fields ? `${change.name}: ${change.action} (${fields})` : `${change.name}: ${change.action}`;
}

/** The values of `--flag=value` in a command, in order (a flag may repeat). */
function flagValues(command: readonly string[], flag: string): string[] {
  const prefix = `--${flag}=`;
  return command.filter((arg) => arg.startsWith(prefix)).map((arg) => arg.slice(prefix.length));
}

/** The issuers a kube-apiserver accepts (the first signs) and its audiences (default: the first issuer). */
function tokenTrust(command: readonly string[]): { issuers: string[]; audiences: string[] } {
  const issuers = flagValues(command, 'service-account-issuer');
  const given = flagValues(command, 'api-audiences').flatMap((v) => v.split(','));
  return { issuers, audiences: given.length ? given : issuers.slice(0, 1) };
}

/**
 * Why a host's planned kube-apiserver would refuse the service account tokens its running one (or the applied
 * plan's) issued: their issuer or every audience not kept. Pods until their kubelet renews them, and holders
 * outside the cluster for good. Undefined when they stay valid (or either is absent, or does not say).
 */
export function tokenLoss(
  planned: readonly PlannedContainer[],
  running: readonly CurrentContainer[],
): string | undefined {
  const apiserver = planned.find((c) => c.name === 'kube-apiserver');
  const current = running.find((c) => c.name === 'kube-apiserver');
  if (!apiserver || !current) return undefined;
  const now = tokenTrust(current.command);
  const next = tokenTrust(apiserver.command);
  if (!now.issuers.length || !next.issuers.length) return undefined;
  const issuerKept = next.issuers.includes(now.issuers[0]!);
  const audienceKept = now.audiences.some((a) => next.audiences.includes(a));
  if (issuerKept && audienceKept) return undefined;
  const list = (xs: string[]) => xs.map((x) => show(x)).join(', ');
  return (
    `${current.name}: the planned one would refuse the service account tokens issued now (issuer ${show(now.issuers[0])}, ` +
    `audiences ${list(now.audiences)}; planned: issuers ${list(next.issuers)}, audiences ${list(next.audiences)}): ` +
    "pods lose the API until their host's kubelet renews their tokens, and tokens held outside the cluster (CI jobs, " +
    "Vault's Kubernetes auth) stop working; keep them with services.kube-api.extra_args service-account-issuer: " +
    `${now.issuers[0]} and api-audiences: ${now.audiences.join(',')} in cluster.yml`
  );
}

/** For a plan's notes: the token loss (tokenLoss) of going from the applied plan to the target's, once. */
export function tokenNotes(applied: ClusterPlan | undefined, target: ClusterPlan): string[] {
  if (!applied) return [];
  const losses = target.hosts.map((h) =>
    tokenLoss(h.containers, applied.hosts.find((a) => a.name === h.name)?.containers ?? []),
  );
  return [...new Set(losses.filter((l) => l !== undefined))];
}

/** A file zke wrote on the host, as the caller found it. */
export interface CurrentFile {
  readonly path: string;
  readonly hash: string;
  readonly mode: number;
}

export interface FileChange {
  readonly path: string;
  /** `unknown`: the file exists but the caller could not say what it should contain (offline plan). */
  readonly action: ChangeAction | 'unknown';
  readonly reasons: readonly ('content' | 'mode')[];
  readonly content?: FileContent;
}

/**
 * `desiredHash` gives the hash of a planned file's rendered content (same hash function as the current files'),
 * or undefined when it cannot be rendered here.
 */
export function diffFiles(
  planned: readonly PlannedFile[],
  current: readonly CurrentFile[],
  desiredHash: (file: PlannedFile) => string | undefined,
): FileChange[] {
  const byPath = new Map(current.map((f) => [f.path, f]));
  const changes = planned.map((file): FileChange => {
    const now = byPath.get(file.path);
    const base = { path: file.path, content: file.content };
    if (!now) return { ...base, action: 'create', reasons: [] };
    const hash = desiredHash(file);
    const reasons = [
      ...(hash !== undefined && hash !== now.hash ? (['content'] as const) : []),
      ...(file.mode !== now.mode ? (['mode'] as const) : []),
    ];
    if (reasons.length > 0) return { ...base, action: 'replace', reasons };
    return { ...base, action: hash === undefined ? 'unknown' : 'unchanged', reasons };
  });
  const plannedPaths = new Set(planned.map((f) => f.path));
  const removals = current
    .filter((f) => !plannedPaths.has(f.path))
    .map((f): FileChange => ({ path: f.path, action: 'remove', reasons: [] }));
  return [...changes, ...removals];
}

export interface HostDiff {
  readonly host: string;
  readonly containers: readonly ContainerChange[];
  readonly files: readonly FileChange[];
}

export interface HostNow {
  readonly containers: readonly CurrentContainer[];
  readonly files: readonly CurrentFile[];
}

/** A host's diff; `planned` undefined means the host left the spec (everything managed is removed). */
export function diffHost(
  host: string,
  planned:
    | { readonly containers: readonly PlannedContainer[]; readonly files: readonly PlannedFile[] }
    | undefined,
  now: HostNow,
  desiredHash: (file: PlannedFile) => string | undefined = () => undefined,
): HostDiff {
  return {
    host,
    containers: diffContainers(planned?.containers ?? [], now.containers),
    files: diffFiles(planned?.files ?? [], now.files, desiredHash),
  };
}

export function hasChanges(diff: HostDiff): boolean {
  const changed = (action: string) => action !== 'unchanged' && action !== 'unknown';
  return diff.containers.some((c) => changed(c.action)) || diff.files.some((f) => changed(f.action));
}
