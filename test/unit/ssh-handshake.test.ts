// A host that accepts the TCP connection but never speaks SSH (an overloaded sshd): opening a session fails
// retryably, naming the host, and the second error ssh2 emits after the handshake timeout does not take the
// worker process down.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { SshSession } from '../../activities/ssh/session.ts';

// The silent sshd listens on loopback, which node addresses may be only when an operator allows it.
process.env.ZKE_ALLOWED_NODE_CIDRS = '127.0.0.1/32';

test('a silent sshd: a retryable SshUnavailable naming the host, and the process lives on', async () => {
  const silent = net.createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const target = {
      host: 'stalled',
      address: '127.0.0.1',
      port: (silent.address() as net.AddressInfo).port,
      user: 'root',
      keyPath: '/nonexistent',
      privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    };
    const err = await SshSession.open(target, undefined, 500).then(
      () => assert.fail('the handshake succeeded'),
      (e: Error) => e,
    );
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'SshUnavailable');
    assert.equal(err.nonRetryable, false);
    assert.match(err.message, /^stalled: SSH .*handshake/);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // ssh2's second error comes after the first
    assert.deepEqual(
      uncaught.map((e) => e.message),
      [],
    );
  } finally {
    process.off('uncaughtException', onUncaught);
    silent.close();
  }
});
