// Reading a cluster's stored revisions and state (how to reach a node: hostSession.ts).
import { ApplicationFailure } from '@temporalio/common';
import { readRevisionSpec } from '../common/revisions.ts';

export type { Revision as StoredRevision } from '../common/revisions.ts';

import type { ClusterStore } from '../common/store.ts';
import type { PlanState } from '../model/plan/types.ts';
import type { ClusterSpec, NodeSpec } from '../model/spec/types.ts';
import { deps } from './deps.ts';
import { NON_RETRYABLE } from './ssh/errors.ts';

export interface RevisionRef {
  cluster: string;
  revision: number;
}

/** The running activity's store (activities/deps.ts). */
export function store(): ClusterStore {
  return deps().store;
}

/** The revision's spec with its secrets (inline SSH keys, registry passwords) restored from the store. */
export function loadSpec(ref: RevisionRef): ClusterSpec {
  const spec = readRevisionSpec(store(), ref.cluster, ref.revision);
  if (!spec) {
    throw ApplicationFailure.create({
      type: NON_RETRYABLE.spec,
      message: `cluster ${ref.cluster} has no revision ${ref.revision}`,
      nonRetryable: true,
    });
  }
  return spec;
}

export function nodeOf(spec: ClusterSpec, host: string): NodeSpec {
  const node = spec.nodes.find((n) => n.name === host);
  if (!node)
    throw ApplicationFailure.create({
      type: NON_RETRYABLE.spec,
      message: `host ${host} is not in the spec`,
      nonRetryable: true,
    });
  return node;
}

export interface CurrentState {
  /** Last revision applied successfully. */
  revision?: number;
  phase: string;
  lastOperation?: {
    kind: string;
    operationId?: string;
    revision?: number;
    phase: string;
    summary: string;
    finishedAt: string;
  };
  /** Hosts of the last applied revision whose etcd members exist (for initial-cluster-state). */
  etcdMembers?: string[];
  /** Hosts provisioned by the last successful operation (hosts no longer in the spec get cleaned). */
  hosts?: string[];
  /** The etcd image each etcd host ran when last reconciled (it bounds the next etcd: PlanState.etcdImages). */
  etcdImages?: Record<string, string>;
  /** The oldest etcd image the cluster ever ran: its data began there (PlanState.etcdOrigin). */
  etcdOrigin?: string;
}

/** What the plan needs to know of the cluster as it runs. */
export function planStateOf(state: Partial<CurrentState> | undefined): PlanState {
  const { etcdMembers, hosts, etcdImages, etcdOrigin } = state ?? {};
  return { etcdMembers, hosts, etcdImages, etcdOrigin };
}

/** The hosts and etcd members of a cluster that runs `spec`. */
export function runningAsSpecified(spec: ClusterSpec): Pick<CurrentState, 'hosts' | 'etcdMembers'> {
  return {
    hosts: spec.nodes.map((n) => n.name),
    etcdMembers: spec.nodes.filter((n) => n.roles.includes('etcd')).map((n) => n.name),
  };
}

export function currentState(cluster: string): CurrentState | undefined {
  return store().read<CurrentState>(cluster, 'current');
}

/** The given revision, or the newest stored one. */
export function latestSpec(cluster: string, revision?: number): ClusterSpec {
  const n =
    revision ??
    Math.max(
      0,
      ...store()
        .keys(cluster, 'revision/')
        .map((k) => Number(k.split('/')[1])),
    );
  return loadSpec({ cluster, revision: n });
}
