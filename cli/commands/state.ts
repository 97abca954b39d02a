// zke state export [-o FILE]: the cluster's state as RKE's cluster.rkestate (private keys; audit-logged).
import path from 'node:path';
import { EXIT } from '../command.ts';
import { writePrivate } from './kubeconfig.ts';
import { api, COMMON_HELP, clusterName, clusterPath, command, UsageError } from './online.ts';

const USAGE = `Usage: zke state export [-o FILE] [-n NAME | -c cluster.yml] [--json]

Writes the cluster's state as RKE's cluster.rkestate: the applied cluster.yml as RKE's rkeConfig, every
certificate with its private key, and the secrets encryption config. RKE's tools read it, and so will zke adopt.
The file holds the cluster's private keys: it is written with mode 0600. Every export is audit-logged by the API.
  -o, --output FILE   where to write it (default: <cluster file without extension>.rkestate beside the -c file)
${COMMON_HELP}`;

/** RKE's GetStateFilePath: cluster.yml → cluster.rkestate, in the same directory. */
export function defaultStatePath(configFile: string): string {
  const dir = path.dirname(configFile);
  return path.join(dir, `${path.basename(configFile, path.extname(configFile))}.rkestate`);
}

export default command(
  'state',
  USAGE,
  { output: { type: 'string', short: 'o' } },
  1,
  async (values, [action]) => {
    if (action !== 'export') throw new UsageError('expected "zke state export"');
    const name = await clusterName(values);
    const text = await (await api()).text(`${clusterPath(name)}/state/export`);
    const output = typeof values.output === 'string' ? values.output : defaultStatePath(values.config);
    await writePrivate(output, text);
    if (values.json) console.log(JSON.stringify({ cluster: name, file: output }, null, 2));
    else
      console.error(
        `wrote the state of ${name} to ${output} (mode 0600: it holds the cluster's private keys)`,
      );
    return EXIT.ok;
  },
);
