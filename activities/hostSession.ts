// Reaching a host: its SSH target from the spec (through the bastion host when there is one, with the host key
// given or pinned on first contact), a session that ends with the call, and the host's Docker over it.
import os from 'node:os';
import path from 'node:path';
import type { BastionHost, ClusterSpec, NodeSpec, RegistrySpec, SshAccess } from '../model/spec/types.ts';
import { store } from './clusterState.ts';
import { cancellation } from './context.ts';
import { deps, now } from './deps.ts';
import { DockerApi } from './docker/api.ts';
import { ensureImage } from './docker/containers.ts';
import type { SshSession } from './ssh/session.ts';
import type { SshTarget } from './ssh/target.ts';

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

/** What sshTarget needs of the spec besides the node: its bastion host, and for a non-root user the tools image. */
export type Reach = Pick<ClusterSpec, 'bastionHost' | 'systemImages' | 'privateRegistries'>;

/** How to reach `node`: through the spec's bastion host when there is one. */
export function sshTarget(cluster: string, spec: Reach, node: NodeSpec): SshTarget {
  const bastion = spec.bastionHost;
  return {
    ...accessOf(node.name, node.address, node.ssh),
    hostKey: node.ssh.hostKey ?? pinnedHostKey(cluster, node.name),
    dockerSocket: node.dockerSocket,
    ...(node.ssh.user !== 'root'
      ? { rootImage: spec.systemImages.tools, registries: spec.privateRegistries }
      : {}),
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

export async function withSession<T>(target: SshTarget, fn: (s: SshSession) => Promise<T>): Promise<T> {
  const session = await deps().openSession(target, cancellation());
  const { rootImage } = target;
  if (rootImage)
    session.prepareRoot = () =>
      ensureImage(dockerOf(session, target.registries), rootImage, () => {}).then(() => {});
  try {
    // a call on a cut connection may never settle: the attempt fails when the connection goes
    return await Promise.race([fn(session), session.lost]);
  } finally {
    session.close();
  }
}

/** The host's Docker; pulls use the credentials of `registries` (the spec's private_registries). */
export function dockerOf(session: SshSession, registries: readonly RegistrySpec[] = []): DockerApi {
  return new DockerApi(session, session.target.dockerSocket ?? '/var/run/docker.sock', registries);
}
