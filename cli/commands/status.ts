// zke status [NAME]: one cluster (phase, revisions, running operation with per-host state, certificate
// expiry) or, without a name or cluster file, every cluster.
import { EXIT } from '../command.ts';
import { api, COMMON_HELP, clusterName, clusterPath, command, UsageError } from './online.ts';

const USAGE = `Usage: zke status [NAME] [-c cluster.yml] [--json]

Shows a cluster: phase, applied and latest revision, the running or last operation, per-host state and
certificate expiry. Without NAME, --name or a readable cluster file: lists every cluster.
${COMMON_HELP}`;

interface Summary {
  name: string;
  phase: string;
  revision?: number;
  latestRevision?: number;
  lastOperation?: { kind: string; phase?: string; summary?: string; finishedAt?: string };
  runningOperation?: { id: string; operation: string; step?: string };
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

export default command('status', USAGE, {}, 1, async (values, positionals) => {
  const name =
    positionals[0] ??
    (await clusterName(values).catch((e) => (e instanceof UsageError ? undefined : Promise.reject(e))));
  const client = await api();
  if (name) {
    const detail = await client.json<Detail>('GET', clusterPath(name));
    console.log(values.json ? JSON.stringify(detail, null, 2) : renderDetail(detail));
    return EXIT.ok;
  }
  const list = await client.json<{ clusters: Summary[] }>('GET', '/v1/clusters');
  if (values.json) console.log(JSON.stringify(list, null, 2));
  else console.log(list.clusters.length ? list.clusters.map(headline).join('\n') : 'no clusters');
  return EXIT.ok;
});
