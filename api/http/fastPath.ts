// Requests answered before express, which is most of what a small request costs under a burst: health probes, and
// GETs of the hot read-only resources dashboards poll (the cluster listing) by a token whose scope allows them.
// Anything else (another path, a missing or refused token, a failure) goes on to the app, which answers it as
// it always does.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiScope, allows } from '../../common/scopes.ts';
import type { TokenStore } from '../../common/tokens.ts';
import { bearerOf } from '../auth/bearer.ts';

/** Answers the request, or hands it to the app (`app()`). */
export type FastPath = (req: IncomingMessage, res: ServerResponse, app: () => void) => void;

export interface HotRead {
  scope: ApiScope;
  /** The JSON body; a rejection hands the request to the app, which answers the failure. */
  json(): Promise<string>;
}

export interface FastPathDeps {
  /** Answers GET/HEAD /healthz. */
  probe(res: ServerResponse): void;
  tokens: TokenStore;
  /** By exact path (a query is ignored, as the app's routes ignore it). */
  reads: ReadonlyMap<string, HotRead>;
}

export function fastPath({ probe, tokens, reads }: FastPathDeps): FastPath {
  return (req, res, app) => {
    const readable = req.method === 'GET' || req.method === 'HEAD';
    const path = (req.url ?? '').split('?', 1)[0];
    if (readable && path === '/healthz') return probe(res);
    const read = readable ? reads.get(path) : undefined;
    const token = read && identify(tokens, req);
    if (!read || !token || !allows(token.scope, read.scope)) return app();
    read.json().then((body) => sendJson(res, 200, body), app);
  };
}

/** The request's token, or undefined, also when the tokens cannot be read now (the app answers that failure). */
function identify(tokens: TokenStore, req: IncomingMessage) {
  try {
    return tokens.identify(bearerOf(req.headers.authorization) ?? '');
  } catch {
    return undefined;
  }
}

/** Writes a JSON answer (node drops a HEAD's body). */
export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}
