// zke images list | build | push | load: the images a cluster pulls (read off the plan and the addons the model
// builds, one source of truth, with the cluster file's default registry applied), built from source with the
// user's Docker (./imagesBuild.ts), copied into a registry of the user's, or loaded from archives into the nodes
// (./imagesLoad.ts).
import { parseArgs } from 'node:util';
import { clusterImages, referenceSpec } from '../../model/images.ts';
import type { ClusterSpec } from '../../model/spec/index.ts';
import { DEFAULT_KUBERNETES_VERSION, knownVersions } from '../../model/versions.ts';
import { type Command, EXIT } from '../command.ts';
import { copyImage, parseRegistry, type Registry } from '../registryCopy.ts';
import { buildImages, PASSWORD_ENV, printRevision } from './imagesBuild.ts';
import loadImages from './imagesLoad.ts';
import { UsageError } from './online.ts';
import { loadSpec, printIssues, usageError } from './validate.ts';

/** The default --from of push: the registry of lab instance $ZLAB_ID (lab/zlab.sh), where the lab's build puts them. */
const LAB_REGISTRY = `http://10.77.${process.env.ZLAB_ID ?? 0}.1:5000`;

const USAGE = `Usage: zke images list [--version V | -c cluster.yml] [--json]
       zke images build [--version V]... [--registry R [--user U]] [IMAGE...]
       zke images push --registry R [--user U] [--from S] [--version V] [IMAGE...]
       zke images load [-n NAME | -c cluster.yml] ARCHIVE...   (zke images load --help)

list   every image a cluster pulls (host containers, the pod sandbox, the built-in addons), one per line
  --version V    for Kubernetes V (default ${DEFAULT_KUBERNETES_VERSION}; known: ${knownVersions().join(', ')}),
                 a cluster with every default
  -c FILE        for the cluster in FILE: its version, its system_images, and the URL of its default
                 private registry (private_registries[].is_default) before every other image
  --json         a JSON array
build  builds the images from source (lab/k8s/build.sh: the Go module proxy and Debian's mirror; hours the
       first time, binaries cached in $ZKE_LAB_CACHE/build) with the Docker the docker CLI reaches
       (DOCKER_HOST, else its default socket); an image already there at the recipe's revision is skipped
  --version V    what list --version V names (repeatable; default every version of the table)
  IMAGE...       these images only, named as list names them
  --registry R   push them to R, named as for push (the Docker must reach and trust R); default: they stay in
                 that Docker, named zke/... (docker save them for load)
  --user U       log the Docker in to R as U; the password is read from $${PASSWORD_ENV}
push   copies the images of --version (or the IMAGEs named) from S to R, under R's namespace
  --registry R   [http://|https://]host[:port][/namespace] (https unless said); what private_registries[].url
                 names, with is_default: true
  --user U       log in to R as U; the password is read from $${PASSWORD_ENV}
  --from S       where the images are (default ${LAB_REGISTRY}, the lab's)
load   loads docker save archives on the zke server into every node's Docker (the air-gap path without a
       registry), through the API, with progress
revision --registry R [--user U] IMAGE
       prints the zke.lab.revision label of IMAGE in R ('' when none; exit 1 when R lacks IMAGE, 4 when R
       does not answer): how build tells an image it has already pushed`;

interface Values {
  config?: string;
  version?: string[];
  registry?: string;
  from?: string;
  user?: string;
  json: boolean;
  help: boolean;
}

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

/** --registry with --user and the password of the environment (a usage error when the user has none). */
function registryOf(values: Values): Registry {
  if (!values.registry) throw new UsageError('--registry is required');
  const password = values.user === undefined ? undefined : process.env[PASSWORD_ENV];
  if (values.user !== undefined && password === undefined)
    throw new UsageError(`--user ${values.user}: set ${PASSWORD_ENV} to its password`);
  return parseRegistry(values.registry, values.user, password);
}

function build(values: Values, images: string[]): Promise<number> {
  if (values.config !== undefined) throw new UsageError('build takes --version or IMAGEs, not -c');
  if (values.user !== undefined && !values.registry) throw new UsageError('--user goes with --registry');
  const registry = values.registry ? registryOf(values) : undefined;
  return buildImages({ versions: values.version ?? [], images, registry: values.registry }, registry);
}

function revision(values: Values, named: string[]): Promise<number> {
  if (named.length !== 1) throw new UsageError('revision takes one IMAGE');
  return printRevision(registryOf(values), named[0]!);
}

async function push(values: Values, named: string[]): Promise<number> {
  if (values.config !== undefined) throw new UsageError('push takes --version or IMAGEs, not -c');
  const to = registryOf(values);
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
  if (action === 'build') return build(values, rest);
  if (action === 'revision') return revision(values, rest);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (action === 'list') return list(values);
  if (action === 'load') throw new UsageError('write load first: zke images load [options] ARCHIVE...');
  throw new UsageError('expected "list", "build", "push", "load" or "revision"');
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
