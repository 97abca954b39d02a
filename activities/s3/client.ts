// A small S3 client (path-style requests signed with AWS Signature V4): what snapshots need — put (streamed,
// with the body's sha256 signed, so the server refuses a body that is not the snapshot), head, get (streamed),
// list and delete. With `custom_ca` the endpoint must be signed by that CA (it replaces the default ones).
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface S3Access {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  customCa?: string;
}

export interface S3Object {
  key: string;
  size: number;
  lastModified: Date;
}

export class S3Error extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const TIMEOUT_MS = 30_000;

/** RFC 3986 encoding as SigV4 wants it; `/` kept in paths. */
function encode(value: string, keepSlash = false): string {
  const out = encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? out.replace(/%2F/g, '/') : out;
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

interface Request {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  payloadSha256?: string;
  body?: Readable;
}

/** The headers that sign `req` at `now` (x-amz-date, x-amz-content-sha256, authorization). */
export function signedHeaders(access: S3Access, req: Request, now: Date): Record<string, string> {
  const url = new URL(access.endpoint);
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...lowerKeys(req.headers ?? {}),
    host: url.host,
    'x-amz-content-sha256': req.payloadSha256 ?? EMPTY_SHA256,
    'x-amz-date': amzDate,
  };
  const names = Object.keys(headers).sort();
  const query = Object.entries(req.query ?? {})
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonical = [
    req.method,
    encode(req.path, true),
    query,
    ...names.map((n) => `${n}:${headers[n]!.trim()}`),
    '',
    names.join(';'),
    headers['x-amz-content-sha256'],
  ].join('\n');
  const scope = `${day}/${access.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = ['s3', 'aws4_request'].reduce(
    (k, part) => hmac(k, part),
    hmac(hmac(`AWS4${access.secretKey}`, day), access.region),
  );
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${access.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

const lowerKeys = (h: Record<string, string>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

export class S3Client {
  constructor(private readonly access: S3Access) {}

  /** Streams `body` (exactly `size` bytes whose sha256 is `sha256`) to bucket/key. */
  async put(
    bucket: string,
    key: string,
    body: Readable,
    o: { size: number; sha256: string; meta?: Record<string, string> },
  ): Promise<void> {
    const meta = Object.fromEntries(Object.entries(o.meta ?? {}).map(([k, v]) => [`x-amz-meta-${k}`, v]));
    const res = await this.send({
      method: 'PUT',
      path: `/${bucket}/${key}`,
      headers: { ...meta, 'content-length': String(o.size), 'content-type': 'application/octet-stream' },
      payloadSha256: o.sha256,
      body,
    });
    await drained(res);
  }

  /** The object's size and metadata, or undefined when there is none. */
  async head(
    bucket: string,
    key: string,
  ): Promise<{ size: number; meta: Record<string, string> } | undefined> {
    const res = await this.send({ method: 'HEAD', path: `/${bucket}/${key}` }, [404]);
    res.resume();
    if (res.statusCode === 404) return undefined;
    const meta: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers))
      if (name.startsWith('x-amz-meta-') && typeof value === 'string') meta[name.slice(11)] = value;
    return { size: Number(res.headers['content-length'] ?? 0), meta };
  }

  /** The object's content as a stream, or undefined when there is none. */
  async get(bucket: string, key: string): Promise<Readable | undefined> {
    const res = await this.send({ method: 'GET', path: `/${bucket}/${key}` }, [404]);
    if (res.statusCode !== 404) return res;
    res.resume();
    return undefined;
  }

  async delete(bucket: string, key: string): Promise<void> {
    await drained(await this.send({ method: 'DELETE', path: `/${bucket}/${key}` }));
  }

  /** Every object whose key starts with `prefix` (ListObjectsV2, all pages). */
  async list(bucket: string, prefix: string): Promise<S3Object[]> {
    const objects: S3Object[] = [];
    let token: string | undefined;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix };
      if (token) query['continuation-token'] = token;
      const xml = await text(await this.send({ method: 'GET', path: `/${bucket}`, query }));
      for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g))
        objects.push({
          key: unescapeXml(tag(entry!, 'Key')),
          size: Number(tag(entry!, 'Size')),
          lastModified: new Date(tag(entry!, 'LastModified')),
        });
      token = tag(xml, 'IsTruncated') === 'true' ? unescapeXml(tag(xml, 'NextContinuationToken')) : undefined;
    } while (token);
    return objects;
  }

  private send(req: Request, allowed: number[] = []): Promise<http.IncomingMessage> {
    const url = new URL(req.path, this.access.endpoint);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const headers = signedHeaders(this.access, req, new Date());
    const secure = url.protocol === 'https:';
    const options = { method: req.method, headers, timeout: TIMEOUT_MS, ...(secure ? this.tls() : {}) };
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request(url, options, (res) => {
        const status = res.statusCode ?? 0;
        if ((status >= 200 && status < 300) || allowed.includes(status)) return resolve(res);
        text(res).then((body) => reject(failure(req, status, body)), reject);
      });
      request.on('timeout', () =>
        request.destroy(new Error(`no answer from ${url.host} in ${TIMEOUT_MS} ms`)),
      );
      request.on('error', reject);
      if (!req.body) return void request.end();
      req.body.on('error', (err) => request.destroy(err));
      req.body.pipe(request);
    });
  }

  private tls(): https.RequestOptions {
    return this.access.customCa ? { ca: this.access.customCa } : {};
  }
}

function failure(req: Request, status: number, body: string): S3Error {
  const code = tag(body, 'Code') || `HTTP ${status}`;
  const message = unescapeXml(tag(body, 'Message'));
  return new S3Error(`S3 ${req.method} ${req.path}: ${code}${message ? ` (${message})` : ''}`, status, code);
}

function tag(xml: string, name: string): string {
  return new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1] ?? '';
}

function unescapeXml(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, ent: string) => {
    if (ent[0] !== '#') return named[ent] ?? whole;
    return String.fromCodePoint(ent[1] === 'x' ? Number.parseInt(ent.slice(2), 16) : Number(ent.slice(1)));
  });
}

async function text(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

const drained = async (res: http.IncomingMessage) => void (await text(res));
