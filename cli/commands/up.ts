// zke up [-c cluster.yml]: submit the cluster file (create or change the cluster), follow the operation, and
// on success write kube_config_<cluster file>.yml next to it (0600), as RKE does.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveAddonsInclude } from '../addonsInclude.ts';
import { ApiError } from '../api-client.ts';
import { writePrivate } from './kubeconfig.ts';
import {
  type Accepted,
  api,
  attachToRunning,
  COMMON_HELP,
  clusterName,
  clusterPath,
  command,
  FOLLOW_HELP,
  followStarted,
  UsageError,
} from './online.ts';

const USAGE = `Usage: zke up [-c cluster.yml] [--json] [--detach] [--cancel]

Submits the cluster file to the zke API: a new cluster is provisioned; a changed spec of an existing one is
applied (reconcile or upgrade). Follows the operation with per-step and per-host progress, then writes the
admin kubeconfig to kube_config_<cluster file>.yml next to the file.
${FOLLOW_HELP}
${COMMON_HELP}`;

/** RKE's name for the admin kubeconfig: kube_config_cluster.yml for cluster.yml. */
export function kubeconfigPathFor(clusterFile: string): string {
  return join(dirname(clusterFile), `kube_config_${basename(clusterFile)}`);
}

export default command('up', USAGE, {}, 0, async (values) => {
  if (values.name) throw new UsageError('zke up takes the cluster name from the file (cluster_name)');
  let spec: string;
  try {
    spec = await readFile(values.config, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${values.config}: ${(error as Error).message}`);
  }
  spec = await resolveAddonsInclude(spec, dirname(values.config));
  const name = await clusterName(values);
  const client = await api();
  const exists = await client.json('GET', clusterPath(name)).then(
    () => true,
    (error) => {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    },
  );
  const accepted = await client
    .json<Accepted>(exists ? 'PUT' : 'POST', exists ? clusterPath(name) : '/v1/clusters', {
      body: spec,
      contentType: 'application/yaml',
    })
    .catch((error) =>
      attachToRunning(
        client,
        error,
        `${values.config} was not submitted: run zke up again once it ends to apply later changes`,
      ),
    );
  const writesKubeconfig = accepted.operation === 'provision' || accepted.operation === 'upgrade';
  return followStarted(client, accepted, values, async () => {
    if (!writesKubeconfig) return undefined;
    const file = kubeconfigPathFor(values.config);
    await writePrivate(file, await client.text(`${clusterPath(name)}/kubeconfig`));
    return `wrote the admin kubeconfig to ${file}`;
  });
});
