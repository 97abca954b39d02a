// zke keys rotate | list: the payload-encryption keyring in ZKE_HOME (run where the workers and API run, while
// they are stopped). Rotation adds a key and makes it current; old keys stay so old histories still decode.
import { loadOrCreateKeyring, rotateKeyring } from '../../common/keyring.ts';
import { keyringPath } from '../../common/temporal.ts';
import { EXIT } from '../command.ts';
import { command, UsageError } from './online.ts';

const USAGE = `Usage: zke keys list | rotate  [--json]

The payload-encryption keyring (ZKE_HOME/keys/payload-keyring.json). Stop the workers and the API, rotate,
start them again; keep old keys: they decode older workflow histories and store documents.`;

export default command('keys', USAGE, {}, 1, async (values, positionals) => {
  const [action] = positionals;
  if (action !== 'list' && action !== 'rotate') throw new UsageError('expected "list" or "rotate"');
  const ring = action === 'rotate' ? rotateKeyring(keyringPath()) : loadOrCreateKeyring(keyringPath());
  const summary = { file: keyringPath(), current: ring.current, keys: Object.keys(ring.keys) };
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else
    console.log(
      `${action === 'rotate' ? 'rotated; ' : ''}current key ${summary.current} (keys: ${summary.keys.join(', ')}) in ${summary.file}`,
    );
  return EXIT.ok;
});
