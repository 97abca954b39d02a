// Reading a cluster's stored revision and state, and turning a node into an SSH target.
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { readRevisionSpec } from '../common/revisions.ts';

export type { Revision as StoredRevision } from '../common/revisions.ts';

import type { ClusterStore } from '../common/store.ts';
import type { BastionHost, ClusterSpec, NodeSpec, SshAccess } from '../model/spec/types.ts';
import { deps, now } from './deps.ts';
import { NON_RETRYABLE } from './ssh/errors.ts';
import type { SshTarget } from './ssh/target.ts';

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

export function pinnedHostKey(cluster: string, host: string): string | undefined {
  return store().read<{ fingerprint: string }>(cluster, `hostkeys/${host}`)?.fingerprint;
}

export function pinHostKey(cluster: string, host: string, fingerprint: string): void {
  store().write(cluster, `hostkeys/${host}`, { fingerprint, pinnedAt: now().toISOString() });
}

/** Store key of the bastion's pinned host key (one bastion per cluster; its address is kept with it). */
const BASTION_PIN = 'bastion-hostkey';

export function pinnedBastionKey(cluster: string, address: string): string | undefined {
  const pin = store().read<{ fingerprint: string; address: string }>(cluster, BASTION_PIN);
  return pin?.address === address ? pin.fingerprint : undefined;
}

export function pinBastionKey(cluster: string, address: string, fingerprint: string): void {
  store().write(cluster, BASTION_PIN, { fingerprint, address, pinnedAt: now().toISOString() });
}

/** What sshTarget needs of the spec besides the node: its bastion host. */
export type Reach = Pick<ClusterSpec, 'bastionHost'>;

/** How to reach `node`: through the spec's bastion host when there is one. */
export function sshTarget(cluster: string, spec: Reach, node: NodeSpec): SshTarget {
  const bastion = spec.bastionHost;
  return {
    ...accessOf(node.name, node.address, node.ssh),
    hostKey: node.ssh.hostKey ?? pinnedHostKey(cluster, node.name),
    dockerSocket: node.dockerSocket,
    ...(bastion ? { bastion: bastionTarget(cluster, node.name, bastion) } : {}),
  };
}

function bastionTarget(cluster: string, nodeName: string, bastion: BastionHost): SshTarget {
  return {
    ...accessOf(`bastion host ${bastion.address} (for ${nodeName})`, bastion.address, bastion.ssh),
    hostKey: bastion.ssh.hostKey ?? pinnedBastionKey(cluster, bastion.address),
  };
}

function accessOf(host: string, address: string, ssh: SshAccess): SshTarget {
  return {
    host,
    address,
    port: ssh.port,
    user: ssh.user,
    keyPath: expandHome(ssh.keyPath),
    privateKey: ssh.key?.value,
    ...(ssh.agent ? { agent: true } : {}),
    ...(ssh.cert !== undefined ? { cert: ssh.cert } : {}),
    ...(ssh.certPath !== undefined ? { certPath: expandHome(ssh.certPath) } : {}),
  };
}

function expandHome(p: string): string {
  return p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p;
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
