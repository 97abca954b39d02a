// zke images list | build | push | load: the images a cluster pulls (read off the plan and the addons the model
// builds, one source of truth, with the cluster file's default registry applied), built from source by the lab's
// scripts, copied into a registry of the user's, or loaded from archives into the nodes (./imagesLoad.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clusterImages, referenceSpec } from '../../model/images.ts';
import type { ClusterSpec } from '../../model/spec/index.ts';
import { DEFAULT_KUBERNETES_VERSION, findVersion, knownVersions } from '../../model/versions.ts';
import { type Command, EXIT } from '../command.ts';
import { copyImage, parseRegistry } from '../registryCopy.ts';
import loadImages from './imagesLoad.ts';
import { loadSpec, printIssues, usageError } from './validate.ts';

/** Where `zke images build` leaves the images: the registry of lab instance $ZLAB_ID (lab/zlab.sh). */
const LAB_REGISTRY = `http://10.77.${process.env.ZLAB_ID ?? 0}.1:5000`;
const PASSWORD_ENV = 'ZKE_REGISTRY_PASSWORD';

const USAGE = `Usage: zke images list [--version V | -c cluster.yml] [--json]
       zke images build [--version V]...
       zke images push --registry R [--user U] [--from S] [--version V] [IMAGE...]
       zke images load [-n NAME | -c cluster.yml] ARCHIVE...   (zke images load --help)

list   every image a cluster pulls (host containers, the pod sandbox, the built-in addons), one per line
  --version V    for Kubernetes V (default ${DEFAULT_KUBERNETES_VERSION}; known: ${knownVersions().join(', ')}),
                 a cluster with every default
  -c FILE        for the cluster in FILE: its version, its system_images, and the URL of its default
                 private registry (private_registries[].is_default) before every other image
  --json         a JSON array
build  builds the images from source into the lab registry: runs lab/zlab.sh images (etcd) and
       lab/k8s/build.sh (Kubernetes and the rest; hours the first time). Needs a lab host:
       bash lab/zlab.sh up 1 (ZLAB_ID selects the lab instance). --version: only those (default all)
push   copies the images of --version (or the IMAGEs named) from S to R, under R's namespace
  --registry R   [http://|https://]host[:port][/namespace] (https unless said); what private_registries[].url
                 names, with is_default: true
  --user U       log in to R as U; the password is read from $${PASSWORD_ENV}
  --from S       where the images are (default ${LAB_REGISTRY}, where build leaves them)
load   loads docker save archives on the zke server into every node's Docker (the air-gap path without a
       registry), through the API, with progress`;

interface Values {
  config?: string;
  version?: string[];
  registry?: string;
  from?: string;
  user?: string;
  json: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parse(argv: string[]): { values: Values; positionals: string[] } {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      version: { type: 'string', multiple: true },
      registry: { type: 'string' },
      from: { type: 'string' },
      user: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function oneVersion(values: Values): string {
  if ((values.version?.length ?? 0) > 1) throw new UsageError('one --version only');
  return values.version?.[0] ?? DEFAULT_KUBERNETES_VERSION;
}

/** The spec to list: the cluster file's, or the reference cluster of a version; undefined when invalid. */
async function specOf(values: Values): Promise<ClusterSpec | undefined> {
  if (values.config !== undefined) {
    if (values.version)
      throw new UsageError('--version and -c exclude each other (the file names its version)');
    return loadSpec(values.config);
  }
  const version = oneVersion(values);
  const result = referenceSpec(version);
  if (!result.ok) printIssues(`--version ${version}`, result.errors, []);
  return result.ok ? result.spec : undefined;
}

async function list(values: Values): Promise<number> {
  const spec = await specOf(values);
  if (!spec) return EXIT.failed;
  const images = clusterImages(spec);
  console.log(values.json ? JSON.stringify(images) : images.join('\n'));
  return EXIT.ok;
}

const script = (path: string) => fileURLToPath(new URL(`../../lab/${path}`, import.meta.url));

/** The lab's build scripts, in order, for these versions (each must be in the version table). */
export function buildSteps(versions: readonly string[]): string[][] {
  const exact = versions.map((v) => {
    const found = findVersion(v);
    if (!found)
      throw new UsageError(`unknown Kubernetes version "${v}" (known: ${knownVersions().join(', ')})`);
    return found.version;
  });
  return [
    ['bash', script('zlab.sh'), 'images'],
    ['bash', script('k8s/build.sh'), ...exact.flatMap((v) => ['--version', v])],
  ];
}

function build(values: Values): number {
  for (const [cmd, ...args] of buildSteps(values.version ?? [])) {
    const run = spawnSync(cmd!, args, { stdio: 'inherit' });
    if (run.status !== 0) {
      console.error(`zke images build: ${args.join(' ')} failed (exit ${run.status ?? run.signal})`);
      return EXIT.failed;
    }
  }
  return EXIT.ok;
}

async function push(values: Values, named: string[]): Promise<number> {
  if (!values.registry) throw new UsageError('--registry is required');
  if (values.config !== undefined) throw new UsageError('push takes --version or IMAGEs, not -c');
  const password = values.user === undefined ? undefined : process.env[PASSWORD_ENV];
  const to = parseRegistry(values.registry, values.user, password);
  const from = parseRegistry(values.from ?? LAB_REGISTRY);
  let images = named;
  if (images.length === 0) {
    const spec = await specOf(values);
    if (!spec) return EXIT.failed;
    images = clusterImages(spec);
  }
  for (const image of images) {
    try {
      const { target, uploaded } = await copyImage(from, to, image);
      console.log(`${target} (${uploaded} blob${uploaded === 1 ? '' : 's'} sent)`);
    } catch (error) {
      console.error(`zke images push: ${image}: ${(error as Error).message}`);
      return EXIT.failed;
    }
  }
  return EXIT.ok;
}

async function run(values: Values, positionals: string[]): Promise<number> {
  const [action, ...rest] = positionals;
  if (action === 'push') return push(values, rest);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (action === 'list') return list(values);
  if (action === 'build') return build(values);
  if (action === 'load') throw new UsageError('write load first: zke images load [options] ARCHIVE...');
  throw new UsageError('expected "list", "build", "push" or "load"');
}

const images: Command = async (argv) => {
  if (argv[0] === 'load') return loadImages(argv.slice(1));
  try {
    const { values, positionals } = parse(argv);
    if (values.help) {
      console.log(USAGE);
      return EXIT.ok;
    }
    return await run(values, positionals);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return usageError('images', (error as Error).message, USAGE);
    }
    throw error;
  }
};
export default images;
