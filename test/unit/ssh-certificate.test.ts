// OpenSSH user certificates read for the publickey login: the request's algorithm is the certificate's, the
// signature's the plain key's (what sshd checks), and a file that is no certificate of the key is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { certificate } from '../../activities/ssh/certificate.ts';
import { tempDir } from '../support/tempDir.ts';

/** A CA-signed certificate of a new key of `type` (ssh-keygen); its text and private key. */
function certified(type: string, bits?: string): { cert: string; key: Buffer } {
  const dir = tempDir('zke-cert-unit');
  const keygen = (args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { stdio: 'pipe' });
  keygen(['-t', 'ed25519', '-N', '', '-f', path.join(dir, 'ca')]);
  keygen(['-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-f', path.join(dir, 'id')]);
  keygen(['-s', path.join(dir, 'ca'), '-I', 'unit', '-n', 'root', path.join(dir, 'id.pub')]);
  return {
    cert: readFileSync(path.join(dir, 'id-cert.pub'), 'utf8'),
    key: readFileSync(path.join(dir, 'id')),
  };
}

test('the request names the certificate algorithm, the signature the plain one (RSA with SHA-512)', () => {
  const cases: [string, string | undefined, string, string][] = [
    ['ed25519', undefined, 'ssh-ed25519-cert-v01@openssh.com', 'ssh-ed25519'],
    ['ecdsa', '256', 'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp256'],
    ['rsa', '2048', 'rsa-sha2-512-cert-v01@openssh.com', 'rsa-sha2-512'],
  ];
  for (const [type, bits, certAlgo, sigAlgo] of cases) {
    const { cert, key } = certified(type, bits);
    const parsed = certificate('n1', cert, key);
    assert.equal(parsed.certAlgo, certAlgo, type);
    assert.equal(parsed.sigAlgo, sigAlgo, type);
    assert.deepEqual(
      parsed.blob,
      Buffer.from(cert.split(' ')[1]!, 'base64'),
      `${type}: the certificate as sent`,
    );
    assert.ok(!(parsed.key.sign(Buffer.from('x'), parsed.hash) instanceof Error), `${type}: the key signs`);
  }
});

test('a file that is no certificate, or certifies another key, is refused non-retryably naming the host', () => {
  const { cert, key } = certified('ed25519');
  const publicKey = `ssh-ed25519 ${cert.split(' ')[1]} user`.replace('-cert-v01@openssh.com', '');
  assert.throws(
    () => certificate('n1', publicKey, key),
    (err: Error & { nonRetryable?: boolean }) =>
      err.nonRetryable === true && /^n1: SSH certificate: not an OpenSSH certificate/.test(err.message),
  );
  assert.throws(
    () => certificate('n1', certified('ecdsa', '256').cert, key),
    /: n1: SSH certificate: it certifies a ecdsa-sha2-nistp256 key, the private key is ssh-ed25519/,
  );
});
