// zke upgrade [--revision N]: apply a submitted revision (default the latest) as a rolling upgrade.
import { COMMON_HELP, command, FOLLOW_HELP, positiveInt, startOperation } from './online.ts';

const USAGE = `Usage: zke upgrade [--revision N] [-n NAME | -c cluster.yml] [--json]

Applies a submitted revision of the spec (default: the latest; submit one with zke up) as an upgrade:
control plane first, then workers, at most upgrade_strategy.max_unavailable_* at a time.
      --revision N    the revision to apply
${FOLLOW_HELP}
${COMMON_HELP}`;

export default command('upgrade', USAGE, { revision: { type: 'string' } }, 0, async (values) =>
  startOperation(values, '/upgrade', { revision: positiveInt(values.revision, '--revision') }),
);
