// HTTP(S) to host:port as seen from a remote host, through the SSH connection (health checks, Kubernetes API).
import http from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { SshSession } from './session.ts';

export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Self-signed serving certs (scheduler/controller-manager): skip verification. */
  insecure?: boolean;
}

export interface HttpTarget {
  host: string;
  port: number;
  path: string;
  tls?: TlsOptions;
  timeoutMs?: number;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  body: string;
}

export function httpGet(session: SshSession, t: HttpTarget): Promise<HttpResponse> {
  return httpRequest(session, { ...t, method: 'GET' });
}

export async function httpRequest(session: SshSession, t: HttpTarget): Promise<HttpResponse> {
  const channel: Duplex = await session.tcp(t.host, t.port);
  const socket = t.tls
    ? tls.connect({
        socket: channel as unknown as import('node:net').Socket,
        ca: t.tls.ca,
        cert: t.tls.cert,
        key: t.tls.key,
        rejectUnauthorized: !t.tls.insecure,
        servername: isIp(t.host) ? undefined : t.host,
        checkServerIdentity: () => undefined,
      })
    : channel;
  return new Promise((resolve, reject) => {
    const req = http.request({
      method: t.method ?? 'GET',
      path: t.path,
      headers: { host: `${t.host}:${t.port}`, ...t.headers },
      createConnection: () => socket as unknown as import('node:net').Socket,
      timeout: t.timeoutMs ?? 5_000,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${t.method ?? 'GET'} ${t.host}:${t.port}${t.path} timed out`)),
    );
    req.on('error', reject);
    req.end(t.body);
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
