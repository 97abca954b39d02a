// zke database migrate [--from DIR]: moves a ZKE_HOME's state into the database of ZKE_DATABASE_URL (local).
import path from 'node:path';
import { homePath } from '../../common/config.ts';
import { migrateHome } from '../../common/database/migrate.ts';
import { FileClusterStore } from '../../common/store.ts';
import { database, openClusterStore } from '../../common/stores.ts';
import { EXIT } from '../command.ts';
import { command, UsageError } from './online.ts';

const USAGE = `Usage: zke database migrate [--from DIR] [--json]

Moves the state a ZKE_HOME holds (cluster records, API tokens, the audit trail) into the PostgreSQL database
of ZKE_DATABASE_URL, so that workers and API replicas on several machines share it. Run it once, with the
workers and the API stopped, where the keyring is: ZKE_KEYRING (or ZKE_HOME/keys/payload-keyring.json) must be
the keyring that sealed the records, and every process given the database must then be given that keyring.
Clusters the database holds already are left as they are there (and named); running it again moves nothing twice.
  --from DIR   the ZKE_HOME to read (default: ZKE_HOME, or ./.zke)`;

export default command('database', USAGE, { from: { type: 'string' } }, 1, async (values, [action]) => {
  if (action !== 'migrate') throw new UsageError('expected "zke database migrate"');
  const db = database();
  if (!db) throw new UsageError('ZKE_DATABASE_URL is not set: name the database to move the state into');
  const home = typeof values.from === 'string' ? path.resolve(values.from) : homePath();
  const result = migrateHome(
    {
      store: new FileClusterStore(path.join(home, 'clusters')),
      tokensFile: path.join(home, 'tokens.json'),
      auditFile: path.join(home, 'audit.log'),
    },
    { store: openClusterStore(), db },
  );
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    for (const c of result.clusters) console.log(`moved cluster ${c.name}: ${c.records} records`);
    for (const name of result.skipped) console.log(`left cluster ${name}: the database holds it already`);
    console.log(
      `moved ${result.clusters.length} clusters, ${result.tokens} API tokens and ${result.auditEvents} audit ` +
        `events from ${home} into ${db.where()}; ${home} itself is unchanged`,
    );
  }
  return EXIT.ok;
});
