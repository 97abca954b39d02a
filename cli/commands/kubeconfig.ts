// zke kubeconfig [-o FILE]: the admin kubeconfig (the API records every download).
import { chmod, writeFile } from 'node:fs/promises';
import { EXIT } from '../command.ts';
import { api, COMMON_HELP, clusterName, clusterPath, command } from './online.ts';

const USAGE = `Usage: zke kubeconfig [-o FILE] [-n NAME | -c cluster.yml] [--json]

Prints the cluster's admin kubeconfig, or writes it to FILE (mode 0600). Every download is audit-logged by the API.
  -o, --output FILE   write to FILE instead of stdout
${COMMON_HELP}`;

/** Writes a file only its owner can read, whatever mode it had. */
export async function writePrivate(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
}

export default command('kubeconfig', USAGE, { output: { type: 'string', short: 'o' } }, 0, async (values) => {
  const name = await clusterName(values);
  const yaml = await (await api()).text(`${clusterPath(name)}/kubeconfig`);
  const output = typeof values.output === 'string' ? values.output : undefined;
  if (output) await writePrivate(output, yaml);
  if (values.json)
    console.log(
      JSON.stringify({ cluster: name, file: output, kubeconfig: output ? undefined : yaml }, null, 2),
    );
  else if (output) console.error(`wrote the admin kubeconfig of ${name} to ${output}`);
  else process.stdout.write(yaml);
  return EXIT.ok;
});
