// A private key quoted in a failure (remote output inside an error) is cut before the workflow keeps the
// message: operation summaries, host errors and the cluster list never carry it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEY_REMOVED, withoutKeyMaterial } from '../../common/keyMaterial.ts';
import { rootMessage } from '../../workflows/concurrency.ts';

const BLOCK =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';

test('a private key block, terminated or cut off, is replaced; the rest of the text stays', () => {
  assert.equal(withoutKeyMaterial(`cat failed: ${BLOCK} (exit 1)`), `cat failed: ${KEY_REMOVED} (exit 1)`);
  assert.equal(
    withoutKeyMaterial('remote said: -----BEGIN RSA PRIVATE KEY-----\nMIIE'),
    `remote said: ${KEY_REMOVED}`,
  );
  const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  assert.equal(withoutKeyMaterial(`n1: ${cert}`), `n1: ${cert}`, 'certificates are public');
});

test("the workflow's failure message (rootMessage) is keyless", () => {
  const err = new Error('activity failed', { cause: new Error(`n1: SSH refused\nremote said: ${BLOCK}`) });
  assert.equal(rootMessage(err), `n1: SSH refused\nremote said: ${KEY_REMOVED}`);
});
