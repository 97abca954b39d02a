// Read views of clusters: what the store records (revisions, current state, certificate expiry) joined with
// the running operation's live progress.
import type { z } from 'zod';
import { coalesced } from '../../common/coalesce.ts';
import type { ClusterStore } from '../../common/store.ts';
import { conflict, notFound } from '../problem.ts';
import type { ClusterDetail, ClusterSummary } from '../schemas.ts';
import type { Operations, OperationView } from './operations.ts';
import type { Revisions } from './revisions.ts';

type Summary = z.infer<typeof ClusterSummary>;
type Detail = z.infer<typeof ClusterDetail>;

export class Clusters {
  constructor(
    private readonly store: ClusterStore,
    private readonly revisions: Revisions,
    private readonly operations: Operations,
  ) {}

  exists(name: string): boolean {
    return this.store.keys(name).some((key) => key === 'current' || key.startsWith('revision/'));
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

  /** Concurrent listings share one pass over the store and Temporal (each still sees its own writes). */
  readonly list: () => Promise<Summary[]> = coalesced(() => this.listNow());

  private async listNow(): Promise<Summary[]> {
    const names = this.store.clusters().filter((name) => this.exists(name));
    const running = await this.operations.runningOf(names);
    return names.map((name) => summarize(name, this.revisions, running.get(name)));
  }

  async detail(name: string): Promise<Detail> {
    this.require(name);
    const latest = await this.operations.latest(name);
    const summary = summarize(name, this.revisions, latest?.state === 'running' ? latest : undefined);
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

function summarize(name: string, revisions: Revisions, running: OperationView | undefined): Summary {
  const current = revisions.current(name);
  return {
    name,
    phase: current?.phase ?? 'pending',
    revision: current?.revision,
    latestRevision: revisions.latest(name),
    lastOperation: current?.lastOperation,
    runningOperation: running && {
      id: running.id,
      operation: running.operation,
      step: running.progress?.step,
    },
  };
}
