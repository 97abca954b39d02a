// An SSH session to one host: command execution (argv, quoted), SFTP file writes, the Docker API over the
// forwarded unix socket, and TCP forwarding for health checks. Closes itself when the activity is cancelled.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { checkAddress } from '../../common/hostPolicy.ts';
import { type Certificate, certificate, loginWithCertificate } from './certificate.ts';
import { classifySshError, NON_RETRYABLE, permanent, sshEndpoint } from './errors.ts';
import type { SshTarget } from './target.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The usual PATH, for the host's tools. */
const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * `script` run as root by a user who only has Docker (RKE's docker-group user): the Docker CLI on the host starts
 * a short-lived privileged container of `image` in the host's PID namespace, and nsenter runs the host's shell in
 * the mount namespace of the host's PID 1, so the script sees and changes the host's files with the host's tools. No log is kept
 * (file contents pass through stdin), no image is pulled (prepareRoot made it present, with credentials).
 */
export function asRootArgv(target: SshTarget, image: string, script: string): string[] {
  const host = target.dockerSocket ? ['-H', `unix://${target.dockerSocket}`] : [];
  const run = [
    'run',
    '--rm',
    '-i',
    '--pull=never',
    '--log-driver=none',
    '--privileged',
    '--pid=host',
    '--net=host',
    `--env=PATH=${HOST_PATH}`,
  ];
  // the host's own shell by its path: a bare `sh` would be the image's busybox, whose applets shadow the host's
  // tools (no `find -printf`, no `rm --one-file-system`)
  return ['docker', ...host, ...run, image, 'nsenter', '-t', '1', '-m', '--', '/bin/sh', '-c', script];
}

export function shellQuote(argv: string[]): string {
  return argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
}

export class SshSession {
  private sftpHandle?: Promise<SFTPWrapper>;
  /** For a non-root user (target.rootImage): makes the image present; run once, before the first command. */
  prepareRoot?: () => Promise<void>;
  private rootReady?: Promise<void>;
  private closing = false;
  /** Rejects when the connection drops while in use (a cut session), not when close() ends it. */
  readonly lost: Promise<never>;

  private constructor(
    readonly target: SshTarget,
    private readonly conn: Client,
    readonly hostKey: string,
    /** The bastion's session the connection is tunnelled through; closed with this one. */
    private readonly via?: SshSession,
  ) {
    this.lost = new Promise<never>((_, reject) => {
      conn.once('close', () => {
        via?.close();
        if (!this.closing)
          reject(new Error(`${target.host}: SSH to ${sshEndpoint(target)}: connection closed`));
      });
    });
    this.lost.catch(() => undefined); // awaited only by withSession
  }

  /** The bastion's host key, when the connection goes through one. */
  get bastionHostKey(): string | undefined {
    return this.via?.hostKey;
  }

  static async open(target: SshTarget, signal?: AbortSignal, readyTimeoutMs = 15_000): Promise<SshSession> {
    const address = await checkedAddress(target);
    const via = target.bastion ? await SshSession.open(target.bastion, signal, readyTimeoutMs) : undefined;
    try {
      const sock = await via?.tunnel(target, address, readyTimeoutMs);
      const { conn, hostKey } = await handshake(target, { host: address, sock }, signal, readyTimeoutMs);
      return new SshSession(target, conn, hostKey, via);
    } catch (err) {
      via?.close();
      throw err;
    }
  }

  /** A channel through this (bastion) session to the node `target` at `address`, bounded by `timeoutMs`. */
  private tunnel(target: SshTarget, address: string, timeoutMs: number): Promise<ClientChannel> {
    const through = `through the bastion host ${sshEndpoint(this.target)}`;
    const fail = (message: string) =>
      ApplicationFailure.retryable(
        `${target.host}: SSH to ${sshEndpoint(target)} ${through}: ${message}`,
        'SshUnavailable',
      );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(fail(`no connection after ${timeoutMs} ms`)), timeoutMs);
      this.conn.forwardOut('127.0.0.1', 0, address, target.port, (err, ch) => {
        clearTimeout(timer);
        if (err) reject(fail(err.message));
        else resolve(ch);
      });
    });
  }

  close(): void {
    this.closing = true;
    this.conn.end();
  }

  /** Runs argv (each word quoted, so nothing is interpreted by the remote shell). */
  exec(argv: string[], opts: { stdin?: Buffer | string; timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.execRaw(shellQuote(argv), opts);
  }

  /** Runs a fixed script of ours through the remote shell, as root. Never pass spec values in `script`. */
  async execRaw(
    script: string,
    opts: { stdin?: Buffer | string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    return this.run(await this.asRoot(script), opts);
  }

  /** argv as root with its stdin and stdout as a stream (the channel); the caller ends it and reads its exit. */
  async execStream(argv: string[]): Promise<ClientChannel> {
    const command = await this.asRoot(shellQuote(argv));
    return new Promise((resolve, reject) => {
      this.conn.exec(command, (err, stream) =>
        err ? reject(classifySshError(this.target, err)) : resolve(stream),
      );
    });
  }

  /** The command line that runs `script` as root: itself for root, else through Docker (asRootArgv). */
  private async asRoot(script: string): Promise<string> {
    if (!this.target.rootImage) return script;
    this.rootReady ??= this.prepareRoot?.() ?? Promise.resolve();
    await this.rootReady;
    return shellQuote(asRootArgv(this.target, this.target.rootImage, script));
  }

  private run(command: string, opts: { stdin?: Buffer | string; timeoutMs?: number }): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.conn.exec(command, (err, stream) => {
        if (err) return reject(classifySshError(this.target, err));
        collect(stream, opts.timeoutMs ?? 120_000, this.target.host).then(resolve, reject);
        if (opts.stdin !== undefined) stream.end(opts.stdin);
        else stream.end();
      });
    });
  }

  /** A duplex stream to a unix socket on the host (the Docker API socket). */
  streamLocal(socketPath: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.conn.openssh_forwardOutStreamLocal(socketPath, (err, ch) =>
        err ? reject(classifySshError(this.target, err)) : resolve(ch),
      );
    });
  }

  /** A duplex stream to host:port as seen from the remote host. */
  tcp(host: string, port: number): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      this.conn.forwardOut('127.0.0.1', 0, host, port, (err, ch) =>
        err ? reject(classifySshError(this.target, err)) : resolve(ch),
      );
    });
  }

  /** SFTP as the SSH user (root: a non-root user's files go through activities/ssh/files.ts instead). */
  sftp(): Promise<SFTPWrapper> {
    this.sftpHandle ??= new Promise((resolve, reject) => {
      this.conn.sftp((err, sftp) => (err ? reject(classifySshError(this.target, err)) : resolve(sftp)));
    });
    return this.sftpHandle;
  }
}

/** Connects and authenticates (directly, or over `sock`), verifying the host key against the pinned one. */
async function handshake(
  target: SshTarget,
  endpoint: { host: string; sock?: ClientChannel },
  signal: AbortSignal | undefined,
  readyTimeoutMs: number,
): Promise<{ conn: Client; hostKey: string }> {
  const cert = certificateOf(target);
  const conn = new Client();
  let seen = '';
  let mismatch = false;
  const ready = new Promise<void>((resolve, reject) => {
    conn.once('ready', resolve);
    // on for the session's life: a stalled handshake emits a second error ("Connection lost before
    // handshake"), and an error nobody listens to kills the worker process
    conn.on('error', reject);
  });
  conn.connect({
    ...endpoint,
    port: target.port,
    username: target.user,
    ...credentials(target),
    readyTimeout: readyTimeoutMs,
    keepaliveInterval: 5_000,
    keepaliveCountMax: 3,
    hostVerifier: (key: Buffer) => {
      seen = fingerprint(key);
      mismatch = Boolean(target.hostKey) && target.hostKey !== seen;
      return !mismatch;
    },
  });
  if (cert) loginWithCertificate(conn, cert);
  const onAbort = () => conn.end();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await ready;
  } catch (err) {
    conn.end();
    if (mismatch) {
      throw permanent(
        NON_RETRYABLE.hostKey,
        `${target.host}: SSH host key ${seen} of ${sshEndpoint(target)} does not match the pinned ${target.hostKey}`,
      );
    }
    throw classifySshError(target, err as Error);
  }
  conn.once('close', () => signal?.removeEventListener('abort', onAbort));
  return { conn, hostKey: seen };
}

/** The IP to connect to, checked against the node address rule (a name is resolved once, here). */
async function checkedAddress(target: SshTarget): Promise<string> {
  const { ips, problem } = await checkAddress(target.address);
  if (problem) throw permanent(NON_RETRYABLE.spec, `${target.host}: address ${target.address}: ${problem}`);
  return ips[0] ?? target.address;
}

/** The user certificate (ssh_cert, else the file at ssh_cert_path) with its private key, when one is given. */
function certificateOf(target: SshTarget): Certificate | undefined {
  if (target.cert === undefined && target.certPath === undefined) return undefined;
  return certificate(target.host, target.cert ?? readCertificate(target), readKey(target));
}

function readCertificate(target: SshTarget): string {
  try {
    return fs.readFileSync(target.certPath ?? '', 'utf8');
  } catch {
    throw permanent(NON_RETRYABLE.auth, `${target.host}: SSH certificate ${target.certPath} cannot be read`);
  }
}

/** The agent's keys (ssh_agent_auth), else the private key. */
function credentials(target: SshTarget): { agent: string } | { privateKey: Buffer } {
  if (!target.agent) return { privateKey: readKey(target) };
  const agent = process.env.SSH_AUTH_SOCK;
  if (!agent)
    throw permanent(
      NON_RETRYABLE.auth,
      `${target.host}: ssh_agent_auth is set but the worker has no SSH agent (SSH_AUTH_SOCK is not set)`,
    );
  return { agent };
}

/** One message whatever the reason (missing, a directory, no permission), so errors reveal nothing more. */
function readKey(target: SshTarget): Buffer {
  if (target.privateKey) return Buffer.from(target.privateKey);
  try {
    return fs.readFileSync(target.keyPath);
  } catch {
    throw permanent(NON_RETRYABLE.auth, `${target.host}: SSH key ${target.keyPath} cannot be read`);
  }
}

function collect(stream: ClientChannel, timeoutMs: number, host: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.close();
      reject(new Error(`${host}: remote command timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on('data', (d: Buffer) => out.push(d));
    stream.stderr.on('data', (d: Buffer) => errOut.push(d));
    stream.on('close', (code: number | null) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(errOut).toString(),
      });
    });
  });
}
