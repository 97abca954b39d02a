// Submitted specs, numbered per cluster: revision n = previous max + 1. The workflows record which one is applied.

import { type Revision, readRevisionSpec, removeRevision, writeRevision } from '../../common/revisions.ts';
import type { ClusterStore } from '../../common/store.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { conflict } from '../problem.ts';

export interface CurrentState {
  /** The last successfully applied revision (unset until the first provision succeeds). */
  revision?: number;
  phase: string;
  lastOperation?: { kind: string; revision?: number; phase?: string; summary?: string; finishedAt?: string };
}

export class Revisions {
  constructor(private readonly store: ClusterStore) {}

  numbers(cluster: string): number[] {
    return this.store
      .keys(cluster, 'revision/')
      .map((key) => Number(key.slice('revision/'.length)))
      .filter(Number.isInteger)
      .sort((a, b) => a - b);
  }

  latest(cluster: string): number | undefined {
    return this.numbers(cluster).at(-1);
  }

  /** The redacted revision (safe to show). */
  read(cluster: string, number: number): Revision | undefined {
    return this.store.read<Revision>(cluster, `revision/${number}`);
  }

  current(cluster: string): CurrentState | undefined {
    return this.store.read<CurrentState>(cluster, 'current');
  }

  /** Stores the spec as a new revision and returns its number; an unchanged spec reuses the latest. */
  submit(cluster: string, spec: ClusterSpec, source: string): { revision: number; created: boolean } {
    const latest = this.latest(cluster);
    if (latest !== undefined && sameSpec(readRevisionSpec(this.store, cluster, latest), spec))
      return { revision: latest, created: false };
    const number = (latest ?? 0) + 1;
    if (!writeRevision(this.store, cluster, { number, spec, createdAt: new Date().toISOString(), source }))
      throw conflict(
        `cluster ${cluster}: another request submitted revision ${number} a moment ago (through another API ` +
          `replica); see GET /v1/clusters/${cluster} and try again once its operation has started`,
      );
    return { revision: number, created: true };
  }

  /** Removes a revision no operation applies (its request was refused). */
  discard(cluster: string, number: number): void {
    removeRevision(this.store, cluster, number);
  }
}

function sameSpec(a: ClusterSpec | undefined, b: ClusterSpec): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}
