// zke config [-o cluster.yml] [--rke] [--force]: writes a commented starter cluster.yml ("-o -" prints it);
// zke config --list-versions: the version table with each version's images.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { clusterImages, referenceSpec } from '../../model/images.ts';
import { DEFAULT_KUBERNETES_VERSION, knownVersions } from '../../model/versions.ts';
import { type Command, EXIT } from '../command.ts';
import { DEFAULT_CONFIG, usageError } from './validate.ts';

const USAGE = `Usage: zke config [-o cluster.yml] [--rke] [--force]
       zke config --list-versions [--json]

Writes a commented starter cluster.yml in zke's format (--rke: RKE's format). "-o -" prints it instead.
An existing file is kept unless --force is given.
--list-versions prints the Kubernetes versions zke runs (RKE: rke config --list-version --all), the default
marked, each with the images a cluster of that version pulls.`;

/** Every version of the table with its images (those of its reference cluster, as zke images list). */
function versionTable(): { version: string; default: boolean; images: string[] }[] {
  return knownVersions().map((version) => {
    const reference = referenceSpec(version);
    if (!reference.ok) throw new Error(`the reference cluster of ${version} is invalid`);
    return {
      version,
      default: version === DEFAULT_KUBERNETES_VERSION,
      images: clusterImages(reference.spec),
    };
  });
}

function listVersions(json: boolean): number {
  const table = versionTable();
  if (json) console.log(JSON.stringify(table));
  else
    for (const v of table)
      console.log(
        [`${v.version}${v.default ? ' (default)' : ''}`, ...v.images.map((i) => `  ${i}`)].join('\n'),
      );
  return EXIT.ok;
}

const STARTERS = {
  zke: new URL('../../examples/starter-zke.yml', import.meta.url),
  rke: new URL('../../examples/starter-rke.yml', import.meta.url),
};

const config: Command = async (argv) => {
  let values: {
    out: string;
    rke: boolean;
    force: boolean;
    help: boolean;
    'list-versions': boolean;
    json: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', short: 'o', default: DEFAULT_CONFIG },
        rke: { type: 'boolean', default: false },
        force: { type: 'boolean', short: 'f', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        'list-versions': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return usageError('config', (error as Error).message, USAGE);
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (values['list-versions']) return listVersions(values.json);
  const text = await readFile(values.rke ? STARTERS.rke : STARTERS.zke, 'utf8');
  if (values.out === '-') {
    process.stdout.write(text);
    return EXIT.ok;
  }
  try {
    await writeFile(values.out, text, { flag: values.force ? 'w' : 'wx', mode: 0o600 });
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    console.error(
      `zke config: ${exists ? `${values.out} exists (use --force to overwrite)` : (error as Error).message}`,
    );
    return EXIT.failed;
  }
  console.log(
    `wrote ${values.out} (${values.rke ? 'RKE' : 'zke'} format); next: zke validate -c ${values.out}`,
  );
  return EXIT.ok;
};
export default config;
