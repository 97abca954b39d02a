// zke etcd snapshot-save [SNAPSHOT] | snapshot-restore SNAPSHOT | snapshot-list
import { EXIT } from '../command.ts';
import {
  api,
  COMMON_HELP,
  clusterName,
  clusterPath,
  command,
  FOLLOW_HELP,
  startOperation,
  UsageError,
} from './online.ts';

const USAGE = `Usage: zke etcd snapshot-save [SNAPSHOT] | snapshot-restore SNAPSHOT | snapshot-list  [-n NAME | -c cluster.yml] [--json]

  snapshot-save [SNAPSHOT]    take a snapshot on every etcd host (default name: a timestamp)
  snapshot-restore SNAPSHOT   restore etcd from the snapshot (the cluster is briefly unavailable)
  snapshot-list               the cluster's snapshots
${FOLLOW_HELP}
${COMMON_HELP}`;

interface Snapshot {
  name: string;
  createdAt?: string;
}

export default command('etcd', USAGE, {}, 2, async (values, [action, snapshot]) => {
  if (action === 'snapshot-save') return startOperation(values, '/snapshots', { name: snapshot });
  if (action === 'snapshot-restore') {
    if (!snapshot)
      throw new UsageError('snapshot-restore needs the SNAPSHOT name (see zke etcd snapshot-list)');
    return startOperation(values, `/snapshots/${encodeURIComponent(snapshot)}/restore`);
  }
  if (action !== 'snapshot-list')
    throw new UsageError(
      action ? `unknown action "${action}"` : 'expected snapshot-save, snapshot-restore or snapshot-list',
    );
  if (snapshot) throw new UsageError('snapshot-list takes no argument');
  const path = `${clusterPath(await clusterName(values))}/snapshots`;
  const { snapshots } = await (await api()).json<{ snapshots: Snapshot[] }>('GET', path);
  if (values.json) console.log(JSON.stringify(snapshots, null, 2));
  else
    console.log(snapshots.map((s) => `${s.name}  ${s.createdAt ?? ''}`.trim()).join('\n') || 'no snapshots');
  return EXIT.ok;
});
