// The host policy: SSH keys only from the key directories (symlinks and `..` resolved first), node addresses
// never this machine's own (loopback, unspecified, link-local, metadata) unless an operator allows them; and
// the worker applies the address rule too, and says the same thing about every unreadable key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { SshSession } from '../../activities/ssh/session.ts';
import { checkAddress, keyPathProblem } from '../../common/hostPolicy.ts';
import { tempDir } from '../support/tempDir.ts';

const keys = tempDir('zke-keys');
const elsewhere = tempDir('zke-elsewhere');
fs.writeFileSync(path.join(keys, 'id'), 'key');
fs.writeFileSync(path.join(elsewhere, 'secret'), 'secret');
fs.symlinkSync(path.join(elsewhere, 'secret'), path.join(keys, 'link-to-secret'));
fs.symlinkSync(elsewhere, path.join(keys, 'link-to-dir'));

afterEach(() => {
  delete process.env.ZKE_SSH_KEY_DIRS;
  delete process.env.ZKE_ALLOWED_NODE_CIDRS;
});

test('key paths: inside a key directory only, after resolving symlinks and ..', () => {
  process.env.ZKE_SSH_KEY_DIRS = `/nonexistent-dir,${keys}`;
  assert.equal(keyPathProblem(path.join(keys, 'id')), undefined);
  assert.equal(keyPathProblem(path.join(keys, 'not-yet-there')), undefined);
  for (const outside of [
    '/etc/shadow',
    `${keys}/../${path.basename(elsewhere)}/secret`,
    path.join(keys, 'link-to-secret'),
    path.join(keys, 'link-to-dir', 'secret'),
    `${keys}/link-to-dir/../x`,
    keys,
    `${keys}-sibling/id`,
    'relative/id',
  ]) {
    const problem = keyPathProblem(outside);
    assert.ok(problem, `${outside} must be refused`);
    assert.match(problem, /SSH keys are read only from the key directories \(.*ZKE_SSH_KEY_DIRS/);
    assert.ok(!problem.includes(elsewhere), 'where a symlink points is not revealed');
  }
  const exists = keyPathProblem('/etc/passwd')?.replace('/etc/passwd', 'P');
  const missing = keyPathProblem('/etc/no-such-file')?.replace('/etc/no-such-file', 'P');
  assert.equal(exists, missing, 'the answer does not tell whether the file exists');
});

test('key paths: the defaults are ~/.ssh and ZKE_HOME/ssh', () => {
  assert.equal(keyPathProblem('~/.ssh/id_rsa'), undefined);
  assert.equal(keyPathProblem(path.join(process.env.ZKE_HOME ?? '.zke', 'ssh', 'id')), undefined);
  assert.ok(keyPathProblem('~/.zke-other/id'));
});

test('node addresses: this machine and metadata refused by default, other addresses accepted', async () => {
  for (const address of [
    '127.0.0.1',
    '127.9.9.9',
    '0.0.0.0',
    '169.254.169.254',
    '::1',
    '::',
    'fe80::1',
    '::ffff:127.0.0.1',
    'localhost',
  ]) {
    const { problem } = await checkAddress(address);
    assert.match(
      problem ?? '',
      /loopback, unspecified, link-local and metadata addresses .* are refused/,
      address,
    );
  }
  assert.match((await checkAddress('localhost')).problem ?? '', /^resolves to /);
  for (const address of ['10.77.0.11', '192.168.1.5', '8.8.8.8', '2001:db8::1', 'fd00::5'])
    assert.deepEqual(await checkAddress(address), { ips: [address] });
});

test('node addresses: ZKE_ALLOWED_NODE_CIDRS lets an operator allow some', async () => {
  process.env.ZKE_ALLOWED_NODE_CIDRS = '127.0.0.0/8, ::1/128';
  assert.equal((await checkAddress('127.0.0.1')).problem, undefined);
  assert.equal((await checkAddress('::1')).problem, undefined);
  assert.ok((await checkAddress('169.254.169.254')).problem);
  process.env.ZKE_ALLOWED_NODE_CIDRS = 'nonsense';
  await assert.rejects(checkAddress('127.0.0.1'), /ZKE_ALLOWED_NODE_CIDRS: "nonsense" is not a CIDR/);
});

const target = (address: string, keyPath: string) => ({
  host: 'n1',
  address,
  port: 1,
  user: 'root',
  keyPath,
});

async function openError(address: string, keyPath: string): Promise<ApplicationFailure> {
  const err = await SshSession.open(target(address, keyPath), undefined, 500).then(
    () => assert.fail('the session opened'),
    (e: Error) => e,
  );
  assert.ok(err instanceof ApplicationFailure);
  return err;
}

test('the worker refuses a loopback node address, for good, naming the node', async () => {
  const err = await openError('127.0.0.1', path.join(keys, 'id'));
  assert.equal(err.nonRetryable, true);
  assert.match(
    err.message,
    /^n1: address 127\.0\.0\.1: loopback, .* are refused unless ZKE_ALLOWED_NODE_CIDRS/,
  );
});

test('the worker says the same about every unreadable key: missing, a directory, not a file', async () => {
  const messages = await Promise.all(
    ['/etc/no-such-key', keys, '/dev/null/x'].map(async (keyPath) => {
      const err = await openError('10.255.255.1', keyPath);
      assert.equal(err.nonRetryable, true);
      return err.message.replace(keyPath, 'PATH');
    }),
  );
  assert.deepEqual(new Set(messages), new Set(['n1: SSH key PATH cannot be read']));
});
