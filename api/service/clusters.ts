// Read views of clusters: what the store records (revisions, current state, certificate expiry) joined with
// the running operation's live progress.
import type { z } from 'zod';
import { coalesced } from '../../common/coalesce.ts';
import type { ClusterStore } from '../../common/store.ts';
import { conflict, notFound } from '../problem.ts';
import type { ClusterDetail, ClusterList, ClusterSummary } from '../schemas.ts';
import { temporalUnanswered } from '../temporalCode.ts';
import { ClusterIndex, type IndexEntry } from './clusterIndex.ts';
import type { Operations, OperationView } from './operations.ts';
import type { Revisions } from './revisions.ts';

type Summary = z.infer<typeof ClusterSummary>;
type Detail = z.infer<typeof ClusterDetail>;
type Listing = z.infer<typeof ClusterList>;

/** The listing's `problem` when Temporal did not say which operations run. */
export const RUNNING_UNKNOWN =
  "Temporal did not answer in time: running operations are unknown (runningOperationUnknown); phases and revisions are zke's own records";

/** Stands for "not known" where a cluster's running operation is looked up. */
const UNKNOWN = Symbol('unknown');

export class Clusters {
  private readonly index: ClusterIndex;
  /** The last listing and what it was built from: unchanged inputs give the same object (serialized once). */
  private last?: { inputs: unknown[]; listing: Listing };

  constructor(
    private readonly store: ClusterStore,
    private readonly revisions: Revisions,
    private readonly operations: Operations,
  ) {
    this.index = new ClusterIndex(store, revisions);
  }

  /** True when the cluster has a current state or a revision (readable or not). */
  exists(name: string): boolean {
    return this.index.get(name) !== undefined;
  }

  /** 404 unless the cluster exists. */
  require(name: string): void {
    if (!this.exists(name)) throw notFound(`no cluster ${name}`);
  }

  /** True once a provision succeeded (the workflows set `current.revision` only then). */
  provisioned(name: string): boolean {
    return this.revisions.current(name)?.revision !== undefined;
  }

  /** 404 unless the cluster exists, 409 until it is provisioned. */
  requireProvisioned(name: string): void {
    this.require(name);
    if (!this.provisioned(name)) throw conflict(`cluster ${name} is not provisioned yet (run zke up first)`);
  }

  /**
   * Concurrent listings share one pass over the store's index and Temporal (each still sees its own writes). A
   * cluster whose records cannot be read is listed as `unreadable`, with what to do. When Temporal does not
   * answer in time the listing still answers, from the store, with the running operations marked unknown.
   */
  readonly list: () => Promise<Listing> = coalesced(() => this.listNow());

  private async listNow(): Promise<Listing> {
    const entries = this.index.all();
    const running = await this.operations
      .runningOf([...entries.keys()])
      .catch((error) => (temporalUnanswered(error) ? undefined : Promise.reject(error)));
    const inputs = listingInputs(entries, running);
    if (this.last && sameItems(this.last.inputs, inputs)) return this.last.listing;
    const clusters = [...entries].map(([name, entry]) =>
      summarize(name, entry, running ? running.get(name) : UNKNOWN),
    );
    const listing = running ? { clusters } : { clusters, problem: RUNNING_UNKNOWN };
    this.last = { inputs, listing };
    return listing;
  }

  async detail(name: string): Promise<Detail> {
    this.require(name);
    const entry = this.index.get(name);
    if (entry && !entry.readable) throw entry.error;
    const latest = await this.operations.latest(name);
    const summary = summarize(name, entry, latest?.state === 'running' ? latest : undefined);
    const specRevision = summary.revision ?? summary.latestRevision;
    const spec = specRevision === undefined ? undefined : this.revisions.read(name, specRevision)?.spec;
    const certificates = this.store.read<Record<string, string>>(name, 'pki-expiry') ?? {};
    return {
      ...summary,
      kubernetesVersion: spec?.kubernetesVersion,
      nodes: (spec?.nodes ?? []).map((n) => ({ name: n.name, address: n.address, roles: [...n.roles] })),
      hosts: latest?.progress?.hosts ?? {},
      certificates,
      certificatesExpireAt: Object.values(certificates).sort()[0],
    };
  }
}

/** What a listing shows, flat: each cluster's index entry (a new object when its records change) and operation. */
function listingInputs(
  entries: ReadonlyMap<string, IndexEntry>,
  running: Map<string, OperationView> | undefined,
): unknown[] {
  const inputs: unknown[] = [running === undefined];
  for (const [name, entry] of entries) {
    const op = running?.get(name);
    inputs.push(name, entry, op?.id, op?.operation, op?.progress?.step);
  }
  return inputs;
}

const sameItems = (a: unknown[], b: unknown[]) =>
  a.length === b.length && a.every((item, i) => item === b[i]);

function summarize(
  name: string,
  entry: IndexEntry | undefined,
  running: OperationView | undefined | typeof UNKNOWN,
): Summary {
  if (entry && !entry.readable) return { name, phase: 'unreadable', problem: entry.error.message };
  const current = entry?.current;
  if (running === UNKNOWN) return { ...summarize(name, entry, undefined), runningOperationUnknown: true };
  return {
    name,
    phase: current?.phase ?? 'pending',
    revision: current?.revision,
    latestRevision: entry?.latestRevision,
    lastOperation: current?.lastOperation,
    runningOperation: running && {
      id: running.id,
      operation: running.operation,
      step: running.progress?.step,
    },
  };
}
