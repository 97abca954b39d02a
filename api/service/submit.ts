// Submitting a spec: validate it, store it as a new revision, start the workflow that applies it. A refused
// request leaves no revision: one submission per cluster at a time, and a revision whose operation did not
// start is removed again.
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec, SpecIssue } from '../../model/spec/types.ts';
import { conflict, invalid, notFound } from '../problem.ts';
import type { ClusterLocks } from './clusterLocks.ts';
import type { Clusters } from './clusters.ts';
import { enforceHostPolicy } from './hostPolicy.ts';
import type { Operations } from './operations.ts';
import type { Revisions } from './revisions.ts';

export interface Submitted {
  operationId: string;
  cluster: string;
  operation: 'provision' | 'upgrade';
  revision: number;
  warnings: readonly SpecIssue[];
}

export class SpecSubmissions {
  constructor(
    private readonly clusters: Clusters,
    private readonly revisions: Revisions,
    private readonly operations: Operations,
    private readonly locks: ClusterLocks,
  ) {}

  /** POST: a new cluster (409 if the name is taken). */
  async create(document: unknown, source: string): Promise<Submitted> {
    const { spec, warnings } = validate(document);
    await enforceHostPolicy(spec);
    const name = spec.clusterName;
    return this.locks.run(name, async () => {
      if (this.clusters.exists(name))
        throw conflict(`cluster ${name} already exists; apply changes with PUT /v1/clusters/${name}`);
      return this.apply(name, spec, warnings, source);
    });
  }

  /** PUT: a changed spec for an existing cluster (upgrade once provisioned, else provision again). */
  async update(name: string, document: unknown, source: string): Promise<Submitted> {
    const { spec, warnings } = validate(document);
    await enforceHostPolicy(spec);
    if (spec.clusterName !== name)
      throw invalid([
        { path: 'cluster_name', message: `is "${spec.clusterName}" but the URL names cluster "${name}"` },
      ]);
    return this.locks.run(name, async () => {
      if (!this.clusters.exists(name)) throw notFound(`no cluster ${name}; create it with POST /v1/clusters`);
      return this.apply(name, spec, warnings, source);
    });
  }

  /** Under the cluster's lock. */
  private async apply(
    name: string,
    spec: ClusterSpec,
    warnings: readonly SpecIssue[],
    source: string,
  ): Promise<Submitted> {
    await this.operations.assertIdle(name);
    const kind = this.clusters.provisioned(name) ? 'upgrade' : 'provision';
    const { revision, created } = this.revisions.submit(name, spec, source);
    try {
      const started = await this.operations.start(kind, name, { cluster: name, revision });
      return { operationId: started.operationId, cluster: name, operation: kind, revision, warnings };
    } catch (error) {
      if (created) this.revisions.discard(name, revision); // started by someone else meanwhile, or Temporal failed
      throw error;
    }
  }
}

/** Parses a spec document; 422 with every error's path when it is not valid. */
export function validate(document: unknown): { spec: ClusterSpec; warnings: readonly SpecIssue[] } {
  const result = parseClusterSpec(document);
  if (!result.ok) throw invalid(result.errors, result.warnings);
  return result;
}
