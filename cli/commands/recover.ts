// zke recover [-c cluster.yml]: writes back a lost record of a running cluster (ZKE_HOME wiped, or another machine)
// from the sealed copy zke keeps on its etcd and control plane hosts (common/stateCopy.ts). Local, like zke keys:
// run it where the workers run, with the keyring zke used. The hosts are reached as cluster.yml says; a host whose
// SSH host key is not the one the copy pinned stops the recovery before anything is written.
import { readStateCopies } from '../../activities/stateCopy.ts';
import { restoreStateCopy } from '../../common/stateCopy.ts';
import { ClusterStore } from '../../common/store.ts';
import { EXIT } from '../command.ts';
import { command, UsageError } from './online.ts';
import { loadSpec } from './validate.ts';

const USAGE = `Usage: zke recover [-c cluster.yml] [--json]

Writes back zke's record of a running cluster (revisions, certificates and keys, secrets encryption keys, pinned
host keys, state) when it is lost, from the sealed copy zke keeps on the cluster's etcd and control plane hosts
after each operation. Run it where zke's workers run (their ZKE_HOME), with the payload keyring zke used
(ZKE_HOME/keys/payload-keyring.json restored from a backup, or ZKE_KEYRING naming it): the copy opens only with it.
The newest copy found wins; each host's SSH host key must be the one the copy pinned. Refused while ZKE_HOME has a
record of the cluster. Afterwards zke up with the same file changes nothing.`;

export default command('recover', USAGE, {}, 0, async (values) => {
  if (values.name)
    throw new UsageError('zke recover reads the hosts from the cluster file: give -c, not --name');
  const spec = await loadSpec(values.config);
  if (!spec) return EXIT.usage;
  const store = new ClusterStore();
  const cluster = spec.clusterName;
  if (store.keys(cluster).length)
    throw new UsageError(
      `ZKE_HOME has a record of cluster ${cluster} already (${store.root}/${cluster}): nothing to recover`,
    );
  const { found, failed } = await readStateCopies(spec);
  for (const line of failed) console.error(`zke recover: ${line}`);
  const newest = found
    .filter((f) => f.copy.cluster === cluster)
    .sort((a, b) => b.copy.savedAt.localeCompare(a.copy.savedAt))[0];
  if (!newest) {
    console.error(
      `zke recover: no host of cluster ${cluster} holds a copy this keyring opens; nothing written`,
    );
    return EXIT.failed;
  }
  const moved = found.filter((f) => {
    const pin = newest.copy.records[`hostkeys/${f.host}`] as { fingerprint?: string } | undefined;
    return pin?.fingerprint !== undefined && pin.fingerprint !== f.hostKey;
  });
  if (moved.length) {
    for (const f of moved)
      console.error(
        `zke recover: ${f.host}: SSH host key ${f.hostKey} is not the one the copy pinned; nothing written`,
      );
    return EXIT.failed;
  }
  const records = restoreStateCopy(store, newest.copy);
  const current = newest.copy.records.current as { revision?: number } | undefined;
  const summary = {
    cluster,
    from: newest.host,
    savedAt: newest.copy.savedAt,
    revision: current?.revision,
    records: records.length,
  };
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else
    console.log(
      `recovered cluster ${cluster}: revision ${summary.revision ?? 'none'} applied, ${records.length} records, from ${newest.host} (copy of ${newest.copy.savedAt}); zke up -c ${values.config} should change nothing`,
    );
  return EXIT.ok;
});
