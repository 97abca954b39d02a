// OpenSSH user certificates (`ssh_cert` / `ssh_cert_path`). ssh2 cannot log in with one: it names the signature
// with the key's algorithm, and for a certificate sshd wants the plain one (`ssh-ed25519`, not
// `ssh-ed25519-cert-v01@openssh.com`). So the connection's publickey request is written here: the certificate
// as the public key, a signature by its private key under the plain algorithm name.
import { createRequire } from 'node:module';
import type { Client, ParsedKey } from 'ssh2';
import { NON_RETRYABLE, permanent } from './errors.ts';

const require = createRequire(import.meta.url);
const { utils } = require('ssh2') as typeof import('ssh2');
const { sendPacket, convertSignature } = require('ssh2/lib/protocol/utils.js') as {
  sendPacket(proto: unknown, packet: Buffer): void;
  convertSignature(signature: Buffer, keyType: string): Buffer | false;
};

const CERT_SUFFIX = '-cert-v01@openssh.com';
const USERAUTH_REQUEST = 50;

export interface Certificate {
  /** The algorithm of the publickey request (a `-cert-v01@openssh.com` name). */
  readonly certAlgo: string;
  /** The signature's algorithm name and hash. */
  readonly sigAlgo: string;
  readonly hash?: string;
  readonly blob: Buffer;
  readonly key: ParsedKey;
}

/** The certificate (an OpenSSH `*-cert.pub` line) with its private key; `host` names the node in errors. */
export function certificate(host: string, certText: string, privateKey: Buffer): Certificate {
  const [type = '', base64 = ''] = certText.trim().split(/\s+/);
  const refuse = (why: string) => permanent(NON_RETRYABLE.auth, `${host}: SSH certificate: ${why}`);
  if (!type.endsWith(CERT_SUFFIX) || !base64) throw refuse('not an OpenSSH certificate (a *-cert.pub file)');
  const key = utils.parseKey(privateKey);
  if (key instanceof Error) throw refuse(`its private key cannot be read (${key.message})`);
  const plain = type.slice(0, -CERT_SUFFIX.length);
  if (key.type !== plain) throw refuse(`it certifies a ${plain} key, the private key is ${key.type}`);
  const blob = Buffer.from(base64, 'base64');
  // RSA signs with SHA-512 (sshd refuses SHA-1 `ssh-rsa` signatures)
  if (plain === 'ssh-rsa')
    return { certAlgo: `rsa-sha2-512${CERT_SUFFIX}`, sigAlgo: 'rsa-sha2-512', hash: 'sha512', blob, key };
  return { certAlgo: type, sigAlgo: plain, blob, key };
}

/** Makes `conn`'s publickey login offer `cert`: call right after conn.connect() (given cert.key as privateKey). */
export function loginWithCertificate(conn: Client, cert: Certificate): void {
  const proto = (conn as unknown as { _protocol: Proto })._protocol;
  proto.authPK = (user: string, _key: unknown, _algo: unknown, cbSign?: unknown) => {
    const request = publickeyRequest(user, cert, cbSign !== undefined);
    if (cbSign === undefined) return send(proto, request);
    const signature = cert.key.sign(Buffer.concat([sshString(proto._kex.sessionID), request]), cert.hash);
    if (signature instanceof Error) throw signature;
    const converted = convertSignature(signature, cert.sigAlgo);
    if (!converted) throw new Error('the certificate key signature could not be converted');
    send(
      proto,
      Buffer.concat([request, sshString(Buffer.concat([sshString(cert.sigAlgo), sshString(converted)]))]),
    );
  };
}

interface Proto {
  authPK: (...args: never[]) => void;
  _kex: { sessionID: Buffer };
  _authsQueue: string[];
  _packetRW: { write: { alloc(n: number): Buffer; allocStart: number; finalize(p: Buffer): Buffer } };
}

function publickeyRequest(user: string, cert: Certificate, signed: boolean): Buffer {
  return Buffer.concat([
    Buffer.from([USERAUTH_REQUEST]),
    sshString(user),
    sshString('ssh-connection'),
    sshString('publickey'),
    Buffer.from([signed ? 1 : 0]),
    sshString(cert.certAlgo),
    sshString(cert.blob),
  ]);
}

function send(proto: Proto, payload: Buffer): void {
  const { write } = proto._packetRW;
  const packet = write.alloc(payload.length);
  payload.copy(packet, write.allocStart);
  proto._authsQueue.push('publickey');
  sendPacket(proto, write.finalize(packet));
}

function sshString(value: string | Buffer): Buffer {
  const data = typeof value === 'string' ? Buffer.from(value) : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}
