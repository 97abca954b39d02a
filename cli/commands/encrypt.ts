// zke encrypt rotate-key: replace the secrets encryption key zke made, with every Secret rewritten under the new one.
import { command, DRY_RUN_OPTION, OPERATION_HELP, startOrDryRun, UsageError } from './online.ts';

const USAGE = `Usage: zke encrypt rotate-key [--dry-run] [-n NAME | -c cluster.yml] [--json]

Rotates the key zke made for secrets_encryption_config (not a custom_config's keys), as Kubernetes documents
it: every API server first reads a new key, then writes with it; every Secret is written back under it; then
the old key is dropped. Each key change restarts kube-apiserver on one controlplane host at a time. A run that
stops half-way (a killed worker, a cancelled operation) is taken up again by the next one with the same new key.
${OPERATION_HELP}`;

const options = DRY_RUN_OPTION;

export default command('encrypt', USAGE, options, 1, async (values, [action]) => {
  if (action !== 'rotate-key') throw new UsageError('expected "zke encrypt rotate-key"');
  return startOrDryRun(values, '/encryption/rotate-key', {});
});
