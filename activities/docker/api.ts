// A small Docker Engine API client that speaks HTTP over the host's Docker socket, tunnelled through SSH.
// JSON in, JSON out: no docker CLI and no shell strings are involved.
import http from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { RegistrySpec } from '../../model/spec/types.ts';
import { NON_RETRYABLE, permanent } from '../ssh/errors.ts';
import type { SshSession } from '../ssh/session.ts';

export const DOCKER_API_VERSION = 'v1.41';

export interface DockerResponse<T> {
  status: number;
  body: T;
}

export class DockerError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Docker's own words. */
    readonly detail = message,
  ) {
    super(message);
  }
}

export const NO_SPACE = /no space left on device/i;

/** A DockerError, or for "no space left on device" a permanent HostDiskFull: retries cannot free a disk. */
export function dockerFailure(status: number, message: string, detail = message): Error {
  if (!NO_SPACE.test(detail)) return new DockerError(status, message, detail);
  return permanent(NON_RETRYABLE.disk, `${message} (the host's disk is full: free space, then run again)`);
}

export class DockerApi {
  constructor(
    private readonly session: SshSession,
    private readonly socketPath: string,
    /** The cluster's private_registries: credentials for the pulls (ensureImage). */
    readonly registries: readonly RegistrySpec[] = [],
  ) {}

  get host(): string {
    return this.session.target.host;
  }

  /** Free bytes on the filesystem of Docker's root dir, or undefined when that cannot be told. */
  async freeBytes(): Promise<number | undefined> {
    try {
      const info = await this.call<{ DockerRootDir?: string }>('GET', '/info');
      const df = await this.session.exec(['df', '-Pk', info.body.DockerRootDir ?? '/var/lib/docker'], {
        timeoutMs: 10_000,
      });
      const availableKiB = Number(df.stdout.trim().split('\n').at(-1)?.split(/\s+/)[3]);
      return df.code === 0 && Number.isFinite(availableKiB) ? availableKiB * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** One API call; non-2xx answers become DockerError unless listed in `accept`. */
  async call<T>(
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<DockerResponse<T>> {
    const res = await this.send(method, path, body);
    const text = res.text;
    const parsed = text && res.json ? (JSON.parse(text) as T) : (text as unknown as T);
    if (res.status >= 300 && !accept.includes(res.status)) {
      const message = (parsed as { message?: string })?.message ?? text;
      throw dockerFailure(res.status, `${this.host}: docker ${method} ${path}: ${res.status} ${message}`);
    }
    return { status: res.status, body: parsed };
  }

  /** Streams a long call (image pull) and reports each progress line; resolves when the stream ends. */
  async stream(
    method: string,
    path: string,
    onLine: (line: Record<string, unknown>) => void,
    headers: Record<string, string> = {},
  ): Promise<void> {
    const req = await this.open(method, path, 'application/json', headers);
    await new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        const failed = (res.statusCode ?? 0) >= 300;
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          if (failed) return;
          const lines = buf.split('\n');
          buf = lines.pop() ?? '';
          for (const l of lines) if (l.trim()) onLine(JSON.parse(l));
        });
        res.on('end', () => (failed ? reject(statusError(this.host, res.statusCode!, buf)) : resolve()));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Streams a request body (an image archive) and resolves to the answer's text; non-2xx become DockerError. */
  async upload(path: string, body: Readable, contentType: string): Promise<string> {
    const req = await this.open('POST', path, contentType);
    return new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) reject(statusError(this.host, res.statusCode!, text));
          else resolve(text);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    });
  }

  private async send(method: string, path: string, body?: unknown) {
    const req = await this.open(method, path);
    return new Promise<{ status: number; text: string; json: boolean }>((resolve, reject) => {
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            json: String(res.headers['content-type'] ?? '').includes('json'),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      if (body !== undefined) req.end(JSON.stringify(body));
      else req.end();
    });
  }

  private async open(
    method: string,
    path: string,
    contentType = 'application/json',
    headers: Record<string, string> = {},
  ): Promise<http.ClientRequest> {
    const channel: Duplex = await this.session.streamLocal(this.socketPath);
    return http.request({
      method,
      path: `/${DOCKER_API_VERSION}${path}`,
      headers: { ...headers, 'content-type': contentType, host: 'docker' },
      createConnection: () => channel as unknown as import('node:net').Socket,
    });
  }
}

function statusError(host: string, status: number, text: string): DockerError {
  let message = text;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {}
  message = message.trim().slice(0, 300);
  return new DockerError(status, `${host}: docker answered ${status}: ${message}`, message);
}
