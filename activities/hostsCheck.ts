// Step "check hosts": SSH in (verifying or pinning the host key), reach Docker, check its version.
import { ApplicationFailure } from '@temporalio/common';
import { latestSpec, nodeOf } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { dockerOf, pinBastionKey, pinHostKey, sshTarget, withSession } from './hostSession.ts';
import { NON_RETRYABLE, permanent } from './ssh/errors.ts';
import type { SshTarget } from './ssh/target.ts';

export interface HostFacts {
  host: string;
  hostname: string;
  hostKey: string;
  /** The bastion host's key, when the host is reached through one. */
  bastionHostKey?: string;
  dockerVersion: string;
  dockerApiVersion: string;
  kernel: string;
  cpus: number;
  memoryBytes: number;
  /** Set when this check pinned the host key: the first contact with the host. */
  pinnedNow?: boolean;
}

/** Docker releases zke supports (API >= 1.41). */
export const SUPPORTED_DOCKER = /^(20\.10|2[1-9]|[3-9]\d)\./;

export async function checkHost(
  target: SshTarget,
  opts: { ignoreDockerVersion?: boolean } = {},
): Promise<HostFacts> {
  return withHeartbeat(() =>
    withSession(target, async (session) => {
      const docker = dockerOf(session);
      const info = await docker
        .call<{ Name: string; ServerVersion: string; KernelVersion: string; NCPU: number; MemTotal: number }>(
          'GET',
          '/info',
        )
        .catch((err) => {
          throw ApplicationFailure.retryable(
            `${target.host}: Docker is not reachable at ${target.dockerSocket ?? '/var/run/docker.sock'}: ${err.message}`,
            'DockerUnavailable',
          );
        });
      const version = await docker.call<{ ApiVersion: string }>('GET', '/version');
      const hostname = (await session.exec(['hostname'])).stdout.trim();
      if (!opts.ignoreDockerVersion && !SUPPORTED_DOCKER.test(info.body.ServerVersion)) {
        throw permanent(
          NON_RETRYABLE.docker,
          `${target.host}: Docker ${info.body.ServerVersion} is not supported (need 20.10 or newer; set ignore_docker_version to override)`,
        );
      }
      return {
        host: target.host,
        hostname,
        hostKey: session.hostKey,
        ...(session.bastionHostKey ? { bastionHostKey: session.bastionHostKey } : {}),
        dockerVersion: info.body.ServerVersion,
        dockerApiVersion: version.body.ApiVersion,
        kernel: info.body.KernelVersion,
        cpus: info.body.NCPU,
        memoryBytes: info.body.MemTotal,
      };
    }),
  );
}

/** checkHost for a node of a stored cluster; pins the host key (and the bastion's) on first contact. */
export async function checkClusterHost(input: {
  cluster: string;
  host: string;
  revision?: number;
  ignoreDockerVersion?: boolean;
}): Promise<HostFacts> {
  const spec = latestSpec(input.cluster, input.revision);
  const target = sshTarget(input.cluster, spec, nodeOf(spec, input.host));
  const facts = await checkHost(target, {
    ignoreDockerVersion: input.ignoreDockerVersion ?? spec.ignoreDockerVersion,
  });
  if (!target.hostKey) pinHostKey(input.cluster, input.host, facts.hostKey);
  const bastion = target.bastion;
  if (bastion && !bastion.hostKey && facts.bastionHostKey)
    pinBastionKey(input.cluster, bastion.address, facts.bastionHostKey);
  return target.hostKey ? facts : { ...facts, pinnedNow: true };
}
