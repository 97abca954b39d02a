// zke config [-o cluster.yml] [--rke] [--force]: writes a commented starter cluster.yml ("-o -" prints it).
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Command, EXIT } from '../command.ts';
import { DEFAULT_CONFIG, usageError } from './validate.ts';

const USAGE = `Usage: zke config [-o cluster.yml] [--rke] [--force]

Writes a commented starter cluster.yml in zke's format (--rke: RKE's format). "-o -" prints it instead.
An existing file is kept unless --force is given.`;

const STARTERS = {
  zke: new URL('../../examples/starter-zke.yml', import.meta.url),
  rke: new URL('../../examples/starter-rke.yml', import.meta.url),
};

const config: Command = async (argv) => {
  let values: { out: string; rke: boolean; force: boolean; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string', short: 'o', default: DEFAULT_CONFIG },
        rke: { type: 'boolean', default: false },
        force: { type: 'boolean', short: 'f', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return usageError('config', (error as Error).message, USAGE);
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
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
