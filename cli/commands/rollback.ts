// zke rollback [--to REV] [--restore-snapshot]: return to an earlier revision of the spec.
import { command, DRY_RUN_OPTION, OPERATION_HELP, positiveInt, startOrDryRun } from './online.ts';

const USAGE = `Usage: zke rollback [--to REV] [--restore-snapshot] [--dry-run] [-n NAME | -c cluster.yml] [--json]

Returns the cluster to an earlier revision (default: the one before the applied one).
      --to REV             the revision to return to
      --restore-snapshot   also restore the etcd snapshot taken before the upgrade
${OPERATION_HELP}`;

const options = {
  to: { type: 'string' },
  'restore-snapshot': { type: 'boolean', default: false },
  ...DRY_RUN_OPTION,
} as const;

export default command('rollback', USAGE, options, 0, async (values) => {
  const body = {
    toRevision: positiveInt(values.to, '--to'),
    restoreSnapshot: values['restore-snapshot'] || undefined,
  };
  return startOrDryRun(values, '/rollback', body);
});
