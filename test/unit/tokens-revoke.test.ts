// The API keeps the parsed tokens file between requests (common/stamp.ts): a token revoked or created by another
// process (zke token revoke/create) must count at the next request, also once the cached copy is old enough to
// be trusted without re-reading.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { RACY_MS } from '../../common/stamp.ts';
import { TokenStore } from '../../common/tokens.ts';
import { tempDir } from '../support/tempDir.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, RACY_MS + 200));

test('a token revoked or created through another TokenStore counts at the next check', async () => {
  const file = path.join(tempDir('zke-tokens'), 'tokens.json');
  const api = new TokenStore(file);
  const cli = new TokenStore(file); // as `zke token` would, in its own process
  const first = cli.create('first', 'read');
  assert.deepEqual(api.identify(first), { name: 'first', scope: 'read' });
  await settle();
  assert.deepEqual(api.identify(first), { name: 'first', scope: 'read' }, 'from the settled copy');

  assert.equal(cli.revoke('first'), true);
  const second = cli.create('second', 'admin');
  assert.equal(api.identify(first), undefined, 'revoked');
  assert.deepEqual(api.identify(second), { name: 'second', scope: 'admin' });

  await settle();
  assert.equal(cli.revoke('second'), true);
  assert.equal(api.identify(second), undefined, 'revoked after the copy settled');
  assert.deepEqual(api.list(), []);
});
