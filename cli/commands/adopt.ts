// zke adopt [-c cluster.yml] [--state FILE] [--yes]: take over a running cluster zke does not manage, with the
// certificates of its state file. Without --yes it only compares every host with zke's plan.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parse } from 'yaml';
import { resolveAddonsInclude } from '../addonsInclude.ts';
import { writePrivate } from './kubeconfig.ts';
import { COMMON_HELP, clusterPath, command, FOLLOW_HELP, startOperation, UsageError } from './online.ts';
import { defaultStatePath } from './state.ts';
import { kubeconfigPathFor } from './up.ts';

const USAGE = `Usage: zke adopt [-c cluster.yml] [--state FILE] [--yes] [--json] [--detach]

Takes over a running cluster that zke does not manage yet — built by RKE, or by zke and its record lost — in
place, keeping its CA, certificates, keys and secrets encryption keys from the state file (RKE's
cluster.rkestate, or zke state export's). First every host is checked (its SSH host key pinned) and its
containers compared with zke's plan: each host says what would be replaced, and why. Nothing on a host changes
unless --yes: then zke records the cluster as its own and applies the spec as an upgrade would, and writes
kube_config_<cluster file>.yml. After it, manage the cluster with zke up.
      --state FILE    the state file (default: cluster.rkestate beside the -c file, as RKE names it)
      --yes           take the cluster over (default: compare only)
${FOLLOW_HELP}
${COMMON_HELP}`;

const options = {
  state: { type: 'string' },
  yes: { type: 'boolean' },
} as const;

async function readOrSay(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

function parsed<T>(text: string, file: string, how: (t: string) => T): T {
  try {
    return how(text);
  } catch (error) {
    throw new UsageError(`${file} is not readable: ${(error as Error).message}`);
  }
}

export default command('adopt', USAGE, options, 0, async (values) => {
  if (values.name) throw new UsageError('zke adopt takes the cluster name from the file (cluster_name)');
  const specText = await resolveAddonsInclude(
    await readOrSay(values.config, 'the cluster file'),
    dirname(values.config),
  );
  const stateFile = typeof values.state === 'string' ? values.state : defaultStatePath(values.config);
  const state = parsed(await readOrSay(stateFile, 'the state file'), stateFile, JSON.parse);
  const spec = parsed(specText, values.config, parse);
  const apply = values.yes === true;
  return startOperation(values, '/adopt', { spec, state, apply }, async (client, name) => {
    if (!apply) return 'compared only, nothing changed: run again with --yes to take the cluster over';
    const file = kubeconfigPathFor(values.config);
    await writePrivate(file, await client.text(`${clusterPath(name)}/kubeconfig`));
    return `the cluster is zke's now; wrote the admin kubeconfig to ${file}`;
  });
});
