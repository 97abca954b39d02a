// zke token create [--name NAME] | list | revoke NAME: API tokens, managed locally in ZKE_HOME/tokens.json
// (hashed); no API needed. Revocation takes effect on the API's next request.
import { TokenStore } from '../../common/tokens.ts';
import { EXIT } from '../command.ts';
import { command, UsageError } from './online.ts';

const USAGE = `Usage: zke token create [--name NAME] | list | revoke NAME  [--json]

API bearer tokens, stored hashed in ZKE_HOME/tokens.json (run where the API runs). A new token is shown once.
  create [--name NAME]   a new token (default name: token-<n>)
  list                   names and creation times
  revoke NAME            the API refuses it from its next request on`;

function freeName(store: TokenStore): string {
  const taken = new Set(store.list().map((t) => t.name));
  let n = taken.size + 1;
  while (taken.has(`token-${n}`)) n++;
  return `token-${n}`;
}

export default command('token', USAGE, {}, 2, async (values, positionals) => {
  const store = new TokenStore();
  const [action, arg] = positionals;
  if (action === 'create') {
    const name = values.name ?? arg ?? freeName(store);
    let secret: string;
    try {
      secret = store.create(name);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.json) console.log(JSON.stringify({ name, token: secret }, null, 2));
    else console.log(`created token "${name}" (shown only now):\n${secret}`);
    return EXIT.ok;
  }
  if (action === 'list') {
    const tokens = store.list();
    if (values.json) console.log(JSON.stringify(tokens, null, 2));
    else
      console.log(
        tokens.length ? tokens.map((t) => `${t.name.padEnd(24)} ${t.createdAt}`).join('\n') : 'no tokens',
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
