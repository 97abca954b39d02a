// zke remove [--force]: remove the cluster from its hosts (asks first on a terminal).
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { EXIT } from '../command.ts';
import {
  type Accepted,
  api,
  COMMON_HELP,
  clusterName,
  clusterPath,
  command,
  FOLLOW_HELP,
  followStarted,
  UsageError,
} from './online.ts';
import { kubeconfigPathFor } from './up.ts';

const USAGE = `Usage: zke remove [--force] [-n NAME | -c cluster.yml] [--json]

Removes every zke container and file from the cluster's hosts, then forgets the cluster (and deletes the
local kube_config_<cluster file>.yml). Asks for confirmation on a terminal; without a terminal --force is required.
      --force         do not ask
${FOLLOW_HELP}
${COMMON_HELP}`;

async function confirmed(name: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `Remove cluster "${name}" from all its hosts? Its containers and data are deleted. [y/N] `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export default command('remove', USAGE, { force: { type: 'boolean', default: false } }, 0, async (values) => {
  const name = await clusterName(values);
  if (!values.force) {
    if (!process.stdin.isTTY)
      throw new UsageError('refusing to remove without --force when stdin is not a terminal');
    if (!(await confirmed(name))) {
      console.error('not removed');
      return EXIT.failed;
    }
  }
  const client = await api();
  const accepted = await client.json<Accepted>('DELETE', clusterPath(name));
  return followStarted(client, accepted, values, async () => {
    if (values.name) return undefined;
    const file = kubeconfigPathFor(values.config);
    await rm(file, { force: true });
    return `deleted ${file}`;
  });
});
