// zke recover [-c cluster.yml] [--from-s3 SNAPSHOT | --from-rke-snapshot FILE.zip]: writes back a lost record of a
// cluster (ZKE_HOME wiped, or another machine) from the sealed copy zke keeps on its etcd and control plane hosts
// (common/stateCopy.ts), or from the one uploaded beside a snapshot when the hosts are gone too, or makes one from
// an RKE snapshot archive (recoverRke.ts). Local, like zke keys:
// run it where the workers run, with the keyring zke used. The hosts are reached as cluster.yml says; a host whose
// SSH host key is not the one the copy pinned stops the recovery before anything is written.
import { s3StateCopy } from '../../activities/snapshotS3.ts';
import { type FoundCopy, readStateCopies } from '../../activities/stateCopy.ts';
import { restoreStateCopy, type StateCopy } from '../../common/stateCopy.ts';
import { openClusterStore } from '../../common/stores.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { EXIT } from '../command.ts';
import { command, UsageError } from './online.ts';
import { type RkeRecovery, recoverFromRkeSnapshot } from './recoverRke.ts';
import { loadSpec } from './validate.ts';

const USAGE = `Usage: zke recover [-c cluster.yml] [--from-s3 SNAPSHOT | --from-rke-snapshot FILE.zip] [--json]

Writes back zke's record of a running cluster (revisions, certificates and keys, secrets encryption keys, pinned
host keys, state) when it is lost, from the sealed copy zke keeps on the cluster's etcd and control plane hosts
after each operation. Run it where zke's workers run (their ZKE_HOME), with the payload keyring zke used
(ZKE_HOME/keys/payload-keyring.json restored from a backup, or ZKE_KEYRING naming it): the copy opens only with it.
The newest copy found wins; each host's SSH host key must be the one the copy pinned. Refused while ZKE_HOME has a
record of the cluster. Afterwards zke up with the same file changes nothing.
      --from-s3 NAME  from the record uploaded with snapshot NAME to the file's S3 (backup_config.s3backupconfig)
                      instead, when the hosts are gone too; then restore the snapshot onto new hosts:
                      zke etcd snapshot-restore NAME
      --from-rke-snapshot FILE.zip
                      from an RKE etcd snapshot archive (/opt/rke/etcd-snapshots/NAME.zip, taken with its
                      cluster.rkestate): its CA, certificates, keys and secrets encryption keys become zke's,
                      cluster.yml revision 1, and the snapshot is written to the first etcd host; then
                      zke up -c cluster.yml and zke etcd snapshot-restore NAME restore it onto the hosts`;

const options = {
  'from-s3': { type: 'string' },
  'from-rke-snapshot': { type: 'string' },
} as const;

/** The newest copy the keepers hold, unless a host's key is not the one it pinned; says why on stderr. */
async function fromHosts(spec: ClusterSpec): Promise<{ copy: StateCopy; from: string } | undefined> {
  const { found, failed } = await readStateCopies(spec);
  for (const line of failed) console.error(`zke recover: ${line}`);
  const newest = found
    .filter((f) => f.copy.cluster === spec.clusterName)
    .sort((a, b) => b.copy.savedAt.localeCompare(a.copy.savedAt))[0];
  if (!newest) {
    console.error(
      `zke recover: no host of cluster ${spec.clusterName} holds a copy this keyring opens; nothing written`,
    );
    return undefined;
  }
  const moved = found.filter((f) => movedKey(newest.copy, f));
  for (const f of moved)
    console.error(
      `zke recover: ${f.host}: SSH host key ${f.hostKey} is not the one the copy pinned; nothing written`,
    );
  return moved.length ? undefined : { copy: newest.copy, from: newest.host };
}

function movedKey(copy: StateCopy, found: FoundCopy): boolean {
  const pin = copy.records[`hostkeys/${found.host}`] as { fingerprint?: string } | undefined;
  return pin?.fingerprint !== undefined && pin.fingerprint !== found.hostKey;
}

export default command('recover', USAGE, options, 0, async (values) => {
  if (values.name)
    throw new UsageError('zke recover reads the hosts from the cluster file: give -c, not --name');
  const spec = await loadSpec(values.config);
  if (!spec) return EXIT.usage;
  const store = openClusterStore();
  const cluster = spec.clusterName;
  if (store.keys(cluster).length)
    throw new UsageError(
      `zke has a record of cluster ${cluster} already (in ${store.location}): nothing to recover`,
    );
  const archive = values['from-rke-snapshot'];
  if (typeof archive === 'string') {
    if (values['from-s3'] !== undefined)
      throw new UsageError('give --from-s3 or --from-rke-snapshot, not both');
    return fromRke(await recoverFromRkeSnapshot(store, spec, archive), values);
  }
  const snapshot = values['from-s3'];
  const found =
    typeof snapshot === 'string'
      ? { copy: await s3StateCopy(spec, snapshot), from: `S3 (snapshot ${snapshot})` }
      : await fromHosts(spec);
  if (!found) return EXIT.failed;
  const records = restoreStateCopy(store, found.copy);
  const current = found.copy.records.current as { revision?: number } | undefined;
  const summary = {
    cluster,
    from: found.from,
    savedAt: found.copy.savedAt,
    revision: current?.revision,
    records: records.length,
  };
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else
    console.log(
      `recovered cluster ${cluster}: revision ${summary.revision ?? 'none'} applied, ${records.length} records, from ${found.from} (copy of ${found.copy.savedAt}); zke up -c ${values.config} should change nothing`,
    );
  return EXIT.ok;
});

function fromRke(r: RkeRecovery, values: { json?: unknown; config: string }): number {
  if (values.json) console.log(JSON.stringify(r, null, 2));
  else
    console.log(
      `cluster ${r.cluster} made from RKE snapshot ${r.snapshot}: revision 1, ${r.certificates} certificates and keys${r.encryptionKeys ? `, ${r.encryptionKeys} secrets encryption key(s)` : ''} from its cluster.rkestate; the snapshot is at ${r.placed}. Next: zke up -c ${values.config}, then zke etcd snapshot-restore ${r.snapshot}`,
    );
  return EXIT.ok;
}
