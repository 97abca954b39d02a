// Submitting a spec: validate it, store it as a new revision, start the workflow that applies it. A refused
// request leaves no revision: one submission per cluster at a time, and a revision whose operation did not
// start is removed again.

import { ENCRYPTION_KEYS_RECORD } from '../../common/stateExport.ts';
import type { ClusterStore } from '../../common/store.ts';
import type { CertBundle } from '../../model/pki/types.ts';
import type { EncryptionKey } from '../../model/plan/apiserver-config.ts';
import {
  type AdoptedState,
  encryptionKeysToAdopt,
  InvalidRkeState,
  parseRkeState,
} from '../../model/rkestate/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec, SpecIssue } from '../../model/spec/types.ts';
import { conflict, invalid, notFound } from '../problem.ts';
import type { ClusterLocks } from './clusterLocks.ts';
import type { Clusters } from './clusters.ts';
import { enforceHostPolicy } from './hostPolicy.ts';
import type { Operations } from './operations.ts';
import type { Revisions } from './revisions.ts';

export interface AdoptRequest {
  /** The cluster.yml (as an object). */
  spec: unknown;
  /** Its cluster.rkestate (JSON), private keys included. */
  state: unknown;
  /** false: only compare the hosts with zke's plan; true: take the cluster over. */
  apply: boolean;
}

export interface Submitted {
  operationId: string;
  cluster: string;
  operation: 'provision' | 'upgrade' | 'adopt';
  revision: number;
  warnings: readonly SpecIssue[];
}

export class SpecSubmissions {
  constructor(
    private readonly clusters: Clusters,
    private readonly revisions: Revisions,
    private readonly operations: Operations,
    private readonly locks: ClusterLocks,
    private readonly store: ClusterStore,
  ) {}

  /**
   * Adopting a running cluster zke does not manage yet: the spec becomes a revision and the state's certificates
   * (and encryption keys) zke's own, then `adopt` compares the hosts with zke's plan, or takes the cluster over.
   * 422 for a spec or state file that is not usable, naming what; 409 for a cluster zke already manages.
   */
  async adopt(name: string, request: AdoptRequest, source: string): Promise<Submitted> {
    const { spec, warnings } = await specOf(name, request.spec, 'spec.');
    const state = adoptedState(spec, request.state);
    return this.locks.run(name, async () => {
      if (this.clusters.provisioned(name))
        throw conflict(
          `cluster ${name} is managed by zke already: change it with zke up (PUT /v1/clusters/${name})`,
        );
      await this.operations.assertIdle(name);
      const { revision, created } = this.revisions.submit(name, spec, source);
      const keys = state.keys ? { [ENCRYPTION_KEYS_RECORD]: { keys: state.keys } } : {};
      const restore = this.replaceRecords(name, { pki: state.bundle, ...keys });
      const input = { cluster: name, revision, apply: request.apply };
      const { operationId } = await this.discardUnstarted(name, revision, created, () =>
        this.operations.start('adopt', name, input).catch((error) => {
          restore(); // a refused adoption leaves no certificates or keys behind
          throw error;
        }),
      );
      return { operationId, cluster: name, operation: 'adopt', revision, warnings };
    });
  }

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
    const { spec, warnings } = await specOf(name, document);
    return this.locks.run(name, async () => {
      if (!this.clusters.exists(name)) throw notFound(`no cluster ${name}; create it with POST /v1/clusters`);
      return this.apply(name, spec, warnings, source);
    });
  }

  /**
   * Loading image archives into the nodes of the cluster's latest revision. With a spec (the air-gap path's first
   * step, before any `up`), the spec is submitted first as `up` would submit it, but only the images are loaded.
   */
  async loadImages(name: string, archives: readonly string[], document: unknown, source: string) {
    const given = document === undefined ? undefined : await specOf(name, document, 'spec.');
    return this.locks.run(name, async () => {
      if (!given) this.clusters.require(name);
      await this.operations.assertIdle(name);
      const { revision, created } = given
        ? this.revisions.submit(name, given.spec, source)
        : { revision: undefined, created: false };
      const input = { cluster: name, archives: [...archives] };
      const { operationId } = await this.discardUnstarted(name, revision ?? 0, created, () =>
        this.operations.start('load-images', name, input),
      );
      return {
        operationId,
        cluster: name,
        operation: 'load-images',
        revision,
        warnings: given?.warnings ?? [],
      };
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
    const { operationId } = await this.discardUnstarted(name, revision, created, () =>
      this.operations.start(kind, name, { cluster: name, revision }),
    );
    return { operationId, cluster: name, operation: kind, revision, warnings };
  }

  /** Starts the revision's operation; a revision this request created goes again when it did not start. */
  /** Writes the records; returns what puts back the ones they replaced (and deletes those that were new). */
  private replaceRecords(name: string, records: Record<string, unknown>): () => void {
    const before = Object.keys(records).map((key) => [key, this.store.read(name, key)] as const);
    for (const [key, value] of Object.entries(records)) this.store.write(name, key, value);
    return () => {
      for (const [key, value] of before)
        if (value === undefined) this.store.delete(name, key);
        else this.store.write(name, key, value);
    };
  }

  private async discardUnstarted<T>(
    name: string,
    revision: number,
    created: boolean,
    start: () => Promise<T>,
  ): Promise<T> {
    try {
      return await start();
    } catch (error) {
      // started by someone else meanwhile, or Temporal failed; not when that someone runs this very revision
      if (created && !(await this.operations.runs(name, revision).catch(() => false)))
        this.revisions.discard(name, revision);
      throw error;
    }
  }
}

/** A request's spec for cluster `name`: 422 unless it is valid, allowed (hostPolicy.ts) and names that cluster. */
async function specOf(name: string, document: unknown, at = '') {
  const { spec, warnings } = validate(document);
  await enforceHostPolicy(spec);
  if (spec.clusterName !== name)
    throw invalid([
      { path: `${at}cluster_name`, message: `is "${spec.clusterName}" but the URL names cluster "${name}"` },
    ]);
  return { spec, warnings };
}

/** The state file's certificates, and its encryption keys when the spec encrypts Secrets with zke's keys. */
function adoptedState(spec: ClusterSpec, document: unknown): { bundle: CertBundle; keys?: EncryptionKey[] } {
  let parsed: AdoptedState;
  try {
    parsed = parseRkeState(document);
  } catch (error) {
    if (!(error instanceof InvalidRkeState)) throw error;
    throw invalid(error.issues.map((message) => ({ path: 'state', message })));
  }
  const keys = encryptionKeysToAdopt(spec, parsed.encryptionConfig);
  if ('problem' in keys)
    throw invalid([{ path: 'state.currentState.encryptionConfig', message: keys.problem }]);
  return { bundle: parsed.bundle, keys: keys.keys };
}

/** Parses a spec document; 422 with every error's path when it is not valid. */
export function validate(document: unknown): { spec: ClusterSpec; warnings: readonly SpecIssue[] } {
  const result = parseClusterSpec(document);
  if (!result.ok) throw invalid(result.errors, result.warnings);
  return result;
}
