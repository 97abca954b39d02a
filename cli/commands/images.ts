// zke images list [--version V | -c cluster.yml] [--json]: the images a cluster pulls, read off the plan and
// the addons the model builds (one source of truth), with the cluster file's default registry applied.
import { parseArgs } from 'node:util';
import { clusterImages, referenceSpec } from '../../model/images.ts';
import type { ClusterSpec } from '../../model/spec/index.ts';
import { DEFAULT_KUBERNETES_VERSION, knownVersions } from '../../model/versions.ts';
import { type Command, EXIT } from '../command.ts';
import { loadSpec, printIssues, usageError } from './validate.ts';

const USAGE = `Usage: zke images list [--version V | -c cluster.yml] [--json]

Lists every image a cluster pulls (host containers, the pod sandbox, the built-in addons), one per line.
  --version V    for Kubernetes V (default ${DEFAULT_KUBERNETES_VERSION}; known: ${knownVersions().join(', ')}),
                 a cluster with every default
  -c FILE        for the cluster in FILE: its version, its system_images, and the URL of its default
                 private registry (private_registries[].is_default) before every other image
  --json         a JSON array`;

interface Values {
  config?: string;
  version?: string;
  json: boolean;
  help: boolean;
}

function parse(argv: string[]): { values: Values; positionals: string[] } {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      version: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

/** The spec to list: the cluster file's, or the reference cluster of a version; undefined when invalid. */
async function specOf(values: Values): Promise<ClusterSpec | undefined> {
  if (values.config !== undefined) return loadSpec(values.config);
  const version = values.version ?? DEFAULT_KUBERNETES_VERSION;
  const result = referenceSpec(version);
  if (!result.ok) printIssues(`--version ${version}`, result.errors, []);
  return result.ok ? result.spec : undefined;
}

const images: Command = async (argv) => {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return usageError('images', (error as Error).message, USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1 || positionals[0] !== 'list')
    return usageError('images', 'expected "list"', USAGE);
  if (values.config !== undefined && values.version !== undefined) {
    return usageError('images', '--version and -c exclude each other (the file names its version)', USAGE);
  }
  const spec = await specOf(values);
  if (!spec) return EXIT.failed;
  const list = clusterImages(spec);
  console.log(values.json ? JSON.stringify(list) : list.join('\n'));
  return EXIT.ok;
};
export default images;
