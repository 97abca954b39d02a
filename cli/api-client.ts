// The CLI's HTTP client for the zke API (ZKE_API, ZKE_TOKEN): JSON/YAML requests, problem+json errors
// mapped to exit codes, and a Server-Sent Events reader.
import { config } from '../common/config.ts';
import { EXIT } from './command.ts';

/** Where `npm start` serves the API (ZKE_API_HOST, ZKE_API_PORT): the CLI's default. */
export const defaultApi = () => `http://${config.apiHost}:${config.apiPort}`;

/** `api`: a zke API server; `embedded`: the one this CLI process runs itself (see embedded.ts). */
export type Mode = 'api' | 'embedded';

export interface Problem {
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  warnings?: { path: string; message: string }[];
  operationId?: string;
  /** 403: the token scope the request needs. */
  requiredScope?: string;
}

/** The API answered with an error status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** The API could not be reached at all. */
export class ApiUnreachable extends Error {}

export interface SseEvent {
  event: string;
  data: unknown;
}

export interface RequestOptions {
  body?: string | object;
  contentType?: string;
  signal?: AbortSignal;
}

export class ApiClient {
  constructor(
    readonly base: string,
    private readonly token: string | undefined,
    readonly mode: Mode = 'api',
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ApiClient {
    return new ApiClient((env.ZKE_API || defaultApi()).replace(/\/+$/, ''), env.ZKE_TOKEN || undefined);
  }

  /** True when something answers HTTP at the base URL (any status). */
  async reachable(timeoutMs = 2000): Promise<boolean> {
    return fetch(`${this.base}/healthz`, { signal: AbortSignal.timeout(timeoutMs) }).then(
      (res) => res.body?.cancel().then(() => true) ?? true,
      () => false,
    );
  }

  /** JSON in, JSON out; throws ApiError (with the problem) or ApiUnreachable. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async text(path: string): Promise<string> {
    return (await this.send('GET', path)).text();
  }

  /** Reads an event stream until the server closes it (or the signal aborts it). */
  async *events(path: string, signal?: AbortSignal): AsyncGenerator<SseEvent> {
    const res = await this.send('GET', path, { signal });
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event) yield event;
          end = buffer.indexOf('\n\n');
        }
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
  }

  private async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body, signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiUnreachable(
        `cannot reach the zke API at ${this.base} (${causeOf(error)}); is it running? (ZKE_API)`,
      );
    }
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    return res;
  }
}

function parseEvent(block: string): SseEvent | undefined {
  const event = /^event: ?(.*)$/m.exec(block)?.[1];
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  if (!event || !data) return undefined;
  return { event, data: JSON.parse(data) };
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Problem;
  } catch {
    return { title: res.statusText, status: res.status, detail: text.slice(0, 500) };
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** EXIT code for an error: 3 busy (409), 4 unreachable, else 1. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ApiUnreachable) return EXIT.unreachable;
  if (error instanceof ApiError && error.status === 409) return EXIT.busy;
  return EXIT.failed;
}

/** A readable multi-line message: the problem's title and detail, then each error with its path. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return (error as Error).message;
  const { problem, status } = error;
  const head = `${problem.title ?? `HTTP ${status}`}${problem.detail ? `: ${problem.detail}` : ''}`;
  const lines = (problem.errors ?? []).map((e) => `  ${e.path ? `${e.path}: ` : ''}${e.message}`);
  if (status === 401)
    lines.push(
      '  set ZKE_TOKEN to a token from `zke token create` (or the one the API printed on first start)',
    );
  if (status === 403 && problem.requiredScope)
    lines.push(
      `  use a token with scope ${problem.requiredScope} (zke token create --scope ${problem.requiredScope})`,
    );
  return [head, ...lines].join('\n');
}
