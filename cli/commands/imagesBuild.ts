// zke images build: zke's image recipe (lab/k8s/build.sh: every binary from source, cached in
// $ZKE_LAB_CACHE/build) run with the user's Docker, whatever the docker CLI reaches (DOCKER_HOST), into the user's
// registry, or left in that Docker. The lab builds its images the same way, as a user whose Docker is a lab host.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterImages, referenceSpec } from '../../model/images.ts';
import { findVersion, knownVersions } from '../../model/versions.ts';
import { EXIT } from '../command.ts';
import { imageLabels, type Registry, registryRefusal } from '../registryCopy.ts';
import { UsageError } from './online.ts';

export const PASSWORD_ENV = 'ZKE_REGISTRY_PASSWORD';
/** The label whose bump makes the recipe rebuild an image under the same tag (lab/k8s/images.sh). */
const REVISION_LABEL = 'zke.lab.revision';
const RECIPE = fileURLToPath(new URL('../../lab/k8s/build.sh', import.meta.url));

export interface BuildRequest {
  /** Kubernetes versions as the user wrote them; none: every version of the table. */
  versions: readonly string[];
  /** The images to build; none: all the versions need. */
  images: readonly string[];
  /** Where to push, as the user wrote it (`zke images push --registry`); none: the images stay in the Docker. */
  registry?: string;
}

function exactVersion(v: string): string {
  const found = findVersion(v);
  if (!found)
    throw new UsageError(`unknown Kubernetes version "${v}" (known: ${knownVersions().join(', ')})`);
  return found.version;
}

/** The images of these versions, as `zke images list --version` names them. */
function versionImages(versions: readonly string[]): string[] {
  const images = versions.flatMap((v) => {
    const reference = referenceSpec(v);
    return reference.ok ? clusterImages(reference.spec) : [];
  });
  return [...new Set(images)].sort();
}

/** The images to build: those named, each one of the versions' images; else all of these. */
function imagesToBuild(named: readonly string[], versions: readonly string[]): string[] {
  const known = versionImages(versions);
  const unknown = named.find((image) => !known.includes(image));
  if (unknown === undefined) return named.length > 0 ? [...named] : known;
  const list =
    versions.length === 1 ? `zke images list --version ${versions[0]}` : 'zke images list --version V';
  throw new UsageError(`${unknown} is not an image of ${versions.join(', ')} (${list} names them)`);
}

/**
 * The recipe's command line for a request: versions and images checked against the version table, and every
 * image named, so that it builds exactly what `zke images list` names (and fails on one it does not make).
 */
export function recipeCommand({ versions, images, registry }: BuildRequest): string[] {
  const exact = versions.map(exactVersion);
  const wanted = imagesToBuild(images, exact.length > 0 ? exact : knownVersions());
  return [
    'bash',
    RECIPE,
    '--no-conformance',
    ...(registry === undefined ? ['--local'] : ['--registry', registry]),
    ...(exact.length > 0 ? exact.flatMap((v) => ['--version', v]) : ['--all']),
    ...wanted.flatMap((image) => ['--image', image]),
  ];
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

/** What went wrong, down to its cause (fetch says only "fetch failed"). */
const causeOf = (error: unknown) => {
  const err = error as Error & { cause?: Error };
  return err.cause?.message ?? err.message;
};

/** Why the Docker the docker CLI reaches cannot build, and what to do; undefined when it answers. */
function dockerProblem(): string | undefined {
  const run = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error)
    return `cannot run the docker CLI (${run.error.message}): install it; the build runs docker build`;
  if (run.status === 0) return undefined;
  const where = process.env.DOCKER_HOST
    ? `DOCKER_HOST=${process.env.DOCKER_HOST}`
    : 'the docker CLI default (DOCKER_HOST is not set)';
  return (
    `no Docker answers at ${where}: ${lastLine(run.stderr)}. Start Docker there, or point DOCKER_HOST at a ` +
    'Docker that does (unix:///path/docker.sock, ssh://user@host, tcp://host:2376)'
  );
}

/** Why `registry` will not take the images, naming it; undefined when it answers these credentials. */
async function registryProblem(registry: Registry): Promise<string | undefined> {
  const who = registry.user === undefined ? 'without credentials (--user U)' : `as ${registry.user}`;
  try {
    const refused = await registryRefusal(registry);
    return refused && `the registry ${registry.base} refuses ${who}: ${refused}`;
  } catch (error) {
    return `the registry ${registry.base} does not answer: ${causeOf(error)}`;
  }
}

/** A fresh Docker config logged in to `registry` (the Docker checks the password); the caller removes it. */
function dockerLogin(registry: Registry): string {
  const config = mkdtempSync(join(tmpdir(), 'zke-docker-'));
  const host = new URL(registry.base).host;
  const login = spawnSync(
    'docker',
    ['--config', config, 'login', '--username', registry.user!, '--password-stdin', host],
    { input: registry.password, encoding: 'utf8' },
  );
  if (login.status === 0) return config;
  rmSync(config, { recursive: true, force: true });
  throw new Error(`the Docker could not log in to ${host} as ${registry.user}: ${lastLine(login.stderr)}`);
}

function fail(problem: string): number {
  console.error(`zke images build: ${problem}`);
  return EXIT.failed;
}

function runRecipe(command: string[], dockerConfig?: string, user?: string): number {
  const env = {
    ...process.env,
    ...(dockerConfig ? { DOCKER_CONFIG: dockerConfig, ZKE_REGISTRY_USER: user } : {}),
  };
  const run = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit', env });
  return run.status === 0
    ? EXIT.ok
    : fail(`${command.slice(1).join(' ')} failed (exit ${run.status ?? run.signal})`);
}

/** Runs the recipe for `request` with the user's Docker, pushing to `registry` (parsed `request.registry`). */
export async function buildImages(request: BuildRequest, registry?: Registry): Promise<number> {
  const command = recipeCommand(request);
  const problem = dockerProblem() ?? (registry && (await registryProblem(registry)));
  if (problem) return fail(problem);
  let config: string | undefined;
  try {
    if (registry?.user !== undefined) config = dockerLogin(registry);
    return runRecipe(command, config, registry?.user);
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    if (config) rmSync(config, { recursive: true, force: true });
  }
}

/** `zke images revision`: prints IMAGE's revision label in `registry`; exit 1 when the registry lacks IMAGE. */
export async function printRevision(registry: Registry, image: string): Promise<number> {
  try {
    const labels = await imageLabels(registry, image);
    if (labels === undefined) return EXIT.failed;
    console.log(labels[REVISION_LABEL] ?? '');
    return EXIT.ok;
  } catch (error) {
    console.error(`zke images revision: ${image}: ${causeOf(error)}`);
    return EXIT.unreachable;
  }
}
