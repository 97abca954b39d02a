// zke remove [--force] [--forget]: remove the cluster from its hosts, or only forget it (asks first on a terminal).
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

const USAGE = `Usage: zke remove [--force] [--forget] [-n NAME | -c cluster.yml] [--json]

Removes every zke container and file from the cluster's hosts, then forgets the cluster (and deletes the
local kube_config_<cluster file>.yml). Asks for confirmation on a terminal; without a terminal --force is required.
      --force         do not ask
      --forget        touch no host: only drop zke's record of the cluster (revisions, certificates, state),
                      e.g. for a cluster that never came up or whose hosts are gone; kube_config is kept
${FOLLOW_HELP}
${COMMON_HELP}`;

async function confirmed(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const question = (name: string, forget: boolean) =>
  forget
    ? `Forget cluster "${name}"? Its hosts are not touched; zke's revisions, certificates and state of it are deleted.`
    : `Remove cluster "${name}" from all its hosts? Its containers and data are deleted.`;

const OPTIONS = {
  force: { type: 'boolean', default: false },
  forget: { type: 'boolean', default: false },
} as const;

export default command('remove', USAGE, OPTIONS, 0, async (values) => {
  const name = await clusterName(values);
  const forget = values.forget === true;
  if (!values.force) {
    if (!process.stdin.isTTY)
      throw new UsageError('refusing to remove without --force when stdin is not a terminal');
    if (!(await confirmed(question(name, forget)))) {
      console.error('not removed');
      return EXIT.failed;
    }
  }
  const client = await api();
  const accepted = await client.json<Accepted>(
    'DELETE',
    `${clusterPath(name)}${forget ? '?forget=true' : ''}`,
  );
  return followStarted(client, accepted, values, async () => {
    if (values.name || forget) return undefined;
    const file = kubeconfigPathFor(values.config);
    await rm(file, { force: true });
    return `deleted ${file}`;
  });
});
