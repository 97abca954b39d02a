// zke token create [--name NAME] [--scope SCOPE] | list | revoke NAME: API tokens, managed locally in
// ZKE_HOME/tokens.json (hashed); no API needed. Revocation takes effect on the API's next request.
import { isScope, SCOPES, type Scope } from '../../common/scopes.ts';
import { openTokenStore } from '../../common/stores.ts';
import type { TokenStore } from '../../common/tokens.ts';
import { EXIT } from '../command.ts';
import { command, UsageError } from './online.ts';

const USAGE = `Usage: zke token create [--name NAME] [--scope SCOPE] | list | revoke NAME  [--json]

API bearer tokens, stored hashed in ZKE_HOME/tokens.json (run where the API runs). A new token is shown once.
  create [--name NAME]   a new token (default name: token-<n>)
      --scope SCOPE      what it may do (default admin):
                           read     list clusters, status, plans, revisions, operations and their events
                           operate  read + create, change, upgrade, rollback, rotate, snapshot, restore,
                                    schedules, cancel
                           admin    operate + remove clusters, download the admin kubeconfig
                           codec    only decode payloads for the Temporal Web UI
  list                   names, scopes and creation times
  revoke NAME            the API refuses it from its next request on`;

function scopeOption(value: unknown): Scope {
  const scope = String(value ?? 'admin');
  if (!isScope(scope)) throw new UsageError(`--scope must be one of ${SCOPES.join(', ')} (got "${scope}")`);
  return scope;
}

function freeName(store: TokenStore): string {
  const taken = new Set(store.list().map((t) => t.name));
  let n = taken.size + 1;
  while (taken.has(`token-${n}`)) n++;
  return `token-${n}`;
}

export default command('token', USAGE, { scope: { type: 'string' } }, 2, async (values, positionals) => {
  const store = openTokenStore();
  const [action, arg] = positionals;
  if (action === 'create') {
    const name = values.name ?? arg ?? freeName(store);
    const scope = scopeOption(values.scope);
    let secret: string;
    try {
      secret = store.create(name, scope);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.json) console.log(JSON.stringify({ name, scope, token: secret }, null, 2));
    else console.log(`created token "${name}" with scope ${scope} (shown only now):\n${secret}`);
    return EXIT.ok;
  }
  if (action === 'list') {
    const tokens = store.list();
    if (values.json) console.log(JSON.stringify(tokens, null, 2));
    else
      console.log(
        tokens.length
          ? tokens.map((t) => `${t.name.padEnd(24)} ${t.scope.padEnd(8)} ${t.createdAt}`).join('\n')
          : 'no tokens',
      );
    return EXIT.ok;
  }
  if (action === 'revoke') {
    const name = arg ?? values.name;
    if (!name) throw new UsageError('revoke needs the token NAME (see zke token list)');
    if (!store.revoke(name)) {
      console.error(`zke token: no token named "${name}"`);
      return EXIT.failed;
    }
    if (values.json) console.log(JSON.stringify({ revoked: name }));
    else console.log(`revoked token "${name}"`);
    return EXIT.ok;
  }
  throw new UsageError(action ? `unknown action "${action}"` : 'expected create, list or revoke');
});
