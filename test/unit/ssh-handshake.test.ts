// A host that accepts the TCP connection but never speaks SSH (an overloaded sshd): opening a session fails
// retryably, naming the host and user@address:port, and the second error ssh2 emits after the handshake
// timeout does not take the worker process down. A closed port and a dropped connection name them too.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { SshSession } from '../../activities/ssh/session.ts';

// The silent sshd listens on loopback, which node addresses may be only when an operator allows it.
process.env.ZKE_ALLOWED_NODE_CIDRS = '127.0.0.1/32';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KEY = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

async function openError(port: number, readyTimeoutMs = 500): Promise<ApplicationFailure> {
  const target = {
    host: 'n1',
    address: '127.0.0.1',
    port,
    user: 'core',
    keyPath: '/nonexistent',
    privateKey: KEY,
  };
  const err = await SshSession.open(target, undefined, readyTimeoutMs).then(
    () => assert.fail('the handshake succeeded'),
    (e: Error) => e,
  );
  assert.ok(err instanceof ApplicationFailure);
  return err;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

test('a silent sshd: a retryable SshUnavailable naming host and endpoint, and the process lives on', async () => {
  const silent = net.createServer((socket) => socket.on('error', () => undefined));
  const port = await listen(silent);
  const uncaught: Error[] = [];
  const onUncaught = (err: Error) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const err = await openError(port);
    assert.equal(err.type, 'SshUnavailable');
    assert.equal(err.nonRetryable, false);
    assert.match(err.message, new RegExp(`^n1: SSH to core@127\\.0\\.0\\.1:${port}: .*handshake`));
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

test('a closed port: the error names user@address:port, the host once', async () => {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve)); // nobody listens there now
  const err = await openError(port);
  assert.equal(err.type, 'SshUnavailable');
  assert.equal(err.message, `n1: SSH to core@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
});

test('a connection dropped before the handshake: the error names user@address:port', async () => {
  const dropping = net.createServer((socket) => socket.destroy());
  const port = await listen(dropping);
  try {
    const err = await openError(port, 5000);
    assert.equal(err.type, 'SshUnavailable');
    assert.match(err.message, new RegExp(`^n1: SSH to core@127\\.0\\.0\\.1:${port}: .*handshake`));
  } finally {
    dropping.close();
  }
});
