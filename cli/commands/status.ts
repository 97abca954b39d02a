// zke status [NAME]: one cluster (phase, revisions, running operation with per-host state, certificate
// expiry) or every cluster.
import { type ApiClient, ApiError } from '../api-client.ts';
import { EXIT } from '../command.ts';
import { api, COMMON_HELP, clusterName, clusterPath, command, UsageError } from './online.ts';
import { DEFAULT_CONFIG } from './validate.ts';

const USAGE = `Usage: zke status [NAME] [-c cluster.yml] [--json]

Shows a cluster: phase, applied and latest revision, the running or last operation, per-host state and
certificate expiry. NAME, --name or -c FILE: that cluster (an unknown one is an error). Otherwise the
cluster ./${DEFAULT_CONFIG} names if the API knows it, else every cluster: in a directory whose
${DEFAULT_CONFIG} was never brought up, \`zke status\` lists the clusters there are.
${COMMON_HELP}`;

interface Summary {
  name: string;
  phase: string;
  revision?: number;
  latestRevision?: number;
  lastOperation?: { kind: string; phase?: string; summary?: string; finishedAt?: string };
  runningOperation?: { id: string; operation: string; step?: string };
  runningOperationUnknown?: true;
}

interface Detail extends Summary {
  kubernetesVersion?: string;
  nodes: { name: string; address: string; roles: string[] }[];
  hosts: Record<string, { state: string; step: string; error?: string }>;
  certificatesExpireAt?: string;
}

function headline(c: Summary): string {
  const revisions = `revision ${c.revision ?? '-'} applied, ${c.latestRevision ?? '-'} latest`;
  const activity = c.runningOperation
    ? `${c.runningOperation.operation} running${c.runningOperation.step ? ` (${c.runningOperation.step})` : ''}`
    : c.runningOperationUnknown
      ? 'running operation unknown'
      : c.lastOperation
        ? `last: ${c.lastOperation.kind} ${c.lastOperation.phase ?? ''}`.trim()
        : 'no operation yet';
  return `${c.name.padEnd(20)} ${c.phase.padEnd(12)} ${revisions.padEnd(30)} ${activity}`;
}

export function renderDetail(c: Detail): string {
  const lines = [`cluster ${c.name}: ${c.phase} (${c.kubernetesVersion ?? 'unknown version'})`];
  lines.push(`  revision ${c.revision ?? '-'} applied, ${c.latestRevision ?? '-'} latest submitted`);
  if (c.runningOperation)
    lines.push(
      `  running: ${c.runningOperation.operation} (${c.runningOperation.id}), step: ${c.runningOperation.step ?? '?'}`,
    );
  if (c.lastOperation)
    lines.push(
      `  last operation: ${c.lastOperation.kind} ${c.lastOperation.phase ?? ''}${c.lastOperation.finishedAt ? ` at ${c.lastOperation.finishedAt}` : ''}${c.lastOperation.summary ? `: ${c.lastOperation.summary}` : ''}`,
    );
  lines.push(
    `  certificates: ${c.certificatesExpireAt ? `first expiry ${c.certificatesExpireAt}` : 'none issued yet'}`,
  );
  lines.push('  nodes:');
  for (const node of c.nodes) {
    const host = c.hosts[node.name];
    const state = host ? `${host.state} (${host.step})${host.error ? `: ${host.error}` : ''}` : '';
    lines.push(
      `    ${node.name.padEnd(20)} ${node.address.padEnd(16)} ${node.roles.join(',').padEnd(26)} ${state}`,
    );
  }
  return lines.join('\n');
}

// -c without a default: only a file the user names is an error when its cluster is unknown
const OPTIONS = { config: { type: 'string', short: 'c' } } as const;

export default command('status', USAGE, OPTIONS, 1, async (values, positionals) => {
  const client = await api();
  const named = positionals[0] ?? values.name ?? (values.config ? await clusterName(values) : undefined);
  const detail = named
    ? await client.json<Detail>('GET', clusterPath(named))
    : await defaultFileCluster(client);
  if (detail) {
    console.log(values.json ? JSON.stringify(detail, null, 2) : renderDetail(detail));
    return EXIT.ok;
  }
  const list = await client.json<{ clusters: Summary[]; problem?: string }>('GET', '/v1/clusters');
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else console.log(list.clusters.length ? list.clusters.map(headline).join('\n') : 'no clusters');
  if (list.problem && !values.json) console.error(`zke status: ${list.problem}`);
  return EXIT.ok;
});

/** The cluster ./cluster.yml names; undefined when there is no readable file or the API has no such cluster. */
async function defaultFileCluster(client: ApiClient): Promise<Detail | undefined> {
  const name = await clusterName({ config: DEFAULT_CONFIG }).catch((e) =>
    e instanceof UsageError ? undefined : Promise.reject(e),
  );
  if (!name) return undefined;
  try {
    return await client.json<Detail>('GET', clusterPath(name));
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    console.error(
      `(${DEFAULT_CONFIG} names cluster ${name}, which the API does not know: listing every cluster)`,
    );
    return undefined;
  }
}
