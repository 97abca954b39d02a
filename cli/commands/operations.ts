// zke operations [list] | show ID | follow ID | cancel ID: the operations of a cluster.
import { EXIT } from '../command.ts';
import type { OperationView } from '../progress.ts';
import {
  api,
  attachTo,
  COMMON_HELP,
  clusterName,
  clusterPath,
  command,
  followStarted,
  UsageError,
} from './online.ts';

const USAGE = `Usage: zke operations [list] | show ID | follow ID | cancel ID  [-n NAME | -c cluster.yml] [--json]

  list        the cluster's operations, newest first
  show ID     one operation: state, progress, result or error
  follow ID   live progress until it ends (Ctrl-C detaches; --cancel makes Ctrl-C cancel)
  cancel ID   cancel a running operation (it stops at the next step and cleans up)
${COMMON_HELP}`;

const opPath = (id: string) => `/v1/operations/${encodeURIComponent(id)}`;

function line(op: OperationView & { startedAt?: string }): string {
  return `${op.id.padEnd(60)} ${op.operation.padEnd(20)} ${op.state.padEnd(10)} ${op.startedAt ?? ''}`;
}

export default command('operations', USAGE, {}, 2, async (values, positionals) => {
  const [action = 'list', id] = positionals;
  if (action !== 'list' && !id)
    throw new UsageError(`${action} needs the operation ID (see zke operations list)`);
  const cluster = action === 'list' ? await clusterName(values) : '';
  const client = await api();
  if (action === 'list') {
    const { operations: list } = await client.json<{ operations: OperationView[] }>(
      'GET',
      `${clusterPath(cluster)}/operations`,
    );
    console.log(values.json ? JSON.stringify(list, null, 2) : list.map(line).join('\n') || 'no operations');
    return EXIT.ok;
  }
  if (action === 'show') {
    const op = await client.json<OperationView>('GET', opPath(id));
    console.log(
      values.json
        ? JSON.stringify(op, null, 2)
        : `${line(op)}\n${op.error ?? op.result?.summary ?? op.progress?.step ?? ''}`,
    );
    return EXIT.ok;
  }
  if (action === 'follow')
    return followStarted(client, await attachTo(client, id), { ...values, detach: false });
  if (action === 'cancel') {
    const op = await client.json<OperationView>('POST', `${opPath(id)}/cancel`);
    console.log(
      values.json
        ? JSON.stringify(op, null, 2)
        : `cancellation requested for ${op.operation} of cluster ${op.cluster} (${op.id})`,
    );
    return EXIT.ok;
  }
  throw new UsageError(`unknown action "${action}"`);
});
