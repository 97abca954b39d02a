// Container primitives over the Docker API: read back what runs, pull images, create/start/replace/remove.
// The decision *what* to do comes from the pure diff in model/; this module only does it.
import { credentialsFor, splitImage } from '../../model/images.ts';
import type { PlannedContainer } from '../../model/plan/types.ts';
import { NON_RETRYABLE, permanent } from '../ssh/errors.ts';
import { type DockerApi, DockerError, dockerFailure, NO_SPACE } from './api.ts';
import { pullFailure } from './pullErrors.ts';

export interface InspectedContainer {
  id: string;
  name: string;
  running: boolean;
  status: string;
  restarting: boolean;
  image: string;
  command: string[];
  env: string[];
  binds: string[];
  labels: Record<string, string>;
  networkMode: string;
  pidMode: string;
  privileged: boolean;
  restartPolicy: string;
  /** Docker's User: '' for the image's. */
  user: string;
}

interface DockerInspect {
  Id: string;
  Name: string;
  State: { Running: boolean; Restarting: boolean; Status: string };
  Config: {
    Image: string;
    Entrypoint: string[] | null;
    Cmd: string[] | null;
    Env: string[] | null;
    Labels: Record<string, string> | null;
    User?: string;
  };
  HostConfig: {
    Binds: string[] | null;
    NetworkMode: string;
    PidMode: string;
    Privileged: boolean;
    RestartPolicy: { Name: string };
  };
}

export async function inspectContainer(
  docker: DockerApi,
  name: string,
): Promise<InspectedContainer | undefined> {
  const res = await docker.call<DockerInspect>(
    'GET',
    `/containers/${encodeURIComponent(name)}/json`,
    undefined,
    [404],
  );
  if (res.status === 404) return undefined;
  const c = res.body;
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    running: c.State.Running,
    restarting: c.State.Restarting,
    status: c.State.Status,
    image: c.Config.Image,
    command: [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])],
    env: c.Config.Env ?? [],
    binds: c.HostConfig.Binds ?? [],
    labels: c.Config.Labels ?? {},
    networkMode: c.HostConfig.NetworkMode,
    pidMode: c.HostConfig.PidMode,
    privileged: c.HostConfig.Privileged,
    restartPolicy: c.HostConfig.RestartPolicy.Name,
    user: c.Config.User ?? '',
  };
}

/** Names of containers carrying a label (e.g. every container zke manages for a cluster). */
export async function listByLabel(docker: DockerApi, label: string): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const res = await docker.call<{ Names: string[] }[]>('GET', `/containers/json?all=1&filters=${filters}`);
  return res.body.map((c) => c.Names[0].replace(/^\//, ''));
}

/** Env the image itself sets: ignored when comparing, as RKE does. */
export async function imageEnv(docker: DockerApi, image: string): Promise<string[]> {
  const res = await docker.call<{ Config: { Env: string[] | null } }>(
    'GET',
    `/images/${encodeURIComponent(image)}/json`,
    undefined,
    [404],
  );
  return res.status === 404 ? [] : (res.body.Config.Env ?? []);
}

export async function ensureImage(
  docker: DockerApi,
  image: string,
  note: (p: string) => void,
): Promise<'present' | 'pulled'> {
  const found = await docker.call('GET', `/images/${encodeURIComponent(image)}/json`, undefined, [404]);
  if (found.status !== 404) return 'present';
  const { repo, tag } = splitImage(image);
  let failure: { status: number; detail: string } | undefined;
  await docker
    .stream(
      'POST',
      `/images/create?fromImage=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`,
      (line) => {
        if (line.error) failure = { status: 500, detail: String(line.error) };
        else if (line.status) note(`${docker.host}: pull ${image}: ${line.status}`);
      },
      registryAuth(image, docker.registries),
    )
    .catch((err) => {
      if (!(err instanceof DockerError)) throw err;
      failure = { status: err.status, detail: err.detail }; // refused before pulling
    });
  if (failure) throw await refusedPull(docker, image, failure.status, failure.detail);
  return 'pulled';
}

/**
 * Docker's X-Registry-Auth for `image` when a private registry holds credentials for it (RKE sends the same):
 * URL-safe base64 *with* padding. Docker decodes it with Go's base64.URLEncoding, which requires the padding,
 * and a pull whose header does not decode goes on without credentials (the registry then answers "no basic auth
 * credentials").
 */
export function registryAuth(image: string, registries: DockerApi['registries']): Record<string, string> {
  const registry = credentialsFor(image, registries);
  if (!registry) return {};
  const auth = {
    username: registry.user ?? '',
    password: registry.password?.value ?? '',
    serveraddress: registry.url,
  };
  const encoded = Buffer.from(JSON.stringify(auth)).toString('base64url');
  return { 'X-Registry-Auth': encoded.padEnd(Math.ceil(encoded.length / 4) * 4, '=') };
}

/** Below this, a failed pull is put down to the disk (Docker's mirror fallback hides the real cause). */
export const LOW_DISK_BYTES = 512 * 1024 * 1024;

/**
 * A refused pull: no space left is the disk; a missing tag, refused access or a TLS mismatch is permanent and
 * names the registry; anything else (an unreachable registry too) is put down to a nearly full disk if it is one.
 */
async function refusedPull(docker: DockerApi, image: string, status: number, detail: string): Promise<Error> {
  const message = `${docker.host}: cannot pull ${image}: ${detail}`;
  if (NO_SPACE.test(detail)) return dockerFailure(status, message, detail);
  const known = pullFailure(docker.host, image, detail);
  if (known?.nonRetryable) return known;
  const free = await docker.freeBytes();
  if (free === undefined || free >= LOW_DISK_BYTES) return known ?? dockerFailure(status, message, detail);
  const mib = Math.floor(free / 1024 / 1024);
  return permanent(
    NON_RETRYABLE.disk,
    `${message} (only ${mib} MiB free where Docker keeps images: the host's disk is nearly full: free space, then run again)`,
  );
}

export async function createContainer(docker: DockerApi, c: PlannedContainer): Promise<string> {
  const body = {
    Image: c.image,
    Entrypoint: c.command.slice(0, 1),
    Cmd: c.command.slice(1),
    Env: c.env,
    Labels: c.labels,
    User: c.user ?? '',
    HostConfig: {
      Binds: c.binds,
      NetworkMode: c.networkMode,
      PidMode: c.pidMode === 'host' ? 'host' : '',
      Privileged: c.privileged,
      RestartPolicy: { Name: c.restartPolicy },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '50m', 'max-file': '3' } },
    },
  };
  const res = await docker.call<{ Id: string }>(
    'POST',
    `/containers/create?name=${encodeURIComponent(c.name)}`,
    body,
  );
  return res.body.Id;
}

export async function startContainer(docker: DockerApi, nameOrId: string): Promise<void> {
  await docker.call('POST', `/containers/${encodeURIComponent(nameOrId)}/start`, undefined, [304]);
}

export async function stopContainer(docker: DockerApi, nameOrId: string, seconds = 10): Promise<void> {
  await docker.call(
    'POST',
    `/containers/${encodeURIComponent(nameOrId)}/stop?t=${seconds}`,
    undefined,
    [304, 404],
  );
}

export async function restartContainer(docker: DockerApi, nameOrId: string): Promise<void> {
  await docker.call('POST', `/containers/${encodeURIComponent(nameOrId)}/restart?t=10`);
}

export async function removeContainer(docker: DockerApi, nameOrId: string): Promise<void> {
  await docker.call('DELETE', `/containers/${encodeURIComponent(nameOrId)}?force=1&v=1`, undefined, [404]);
}

export async function renameContainer(docker: DockerApi, from: string, to: string): Promise<void> {
  await docker.call('POST', `/containers/${encodeURIComponent(from)}/rename?name=${encodeURIComponent(to)}`);
}

/** Last lines of a container's log (for error messages). */
export async function containerLogTail(docker: DockerApi, name: string, lines = 5): Promise<string> {
  const res = await docker.call<string>(
    'GET',
    `/containers/${encodeURIComponent(name)}/logs?stdout=1&stderr=1&tail=${lines}`,
    undefined,
    [404],
  );
  // Multiplexed stream: drop the frame headers' control bytes, keep the text.
  return [...String(res.body)]
    .filter((ch) => ch === '\n' || ch.charCodeAt(0) >= 32)
    .join('')
    .trim();
}
