// The Temporal Web UI behind the zke API (ZKE_TEMPORAL_UI_URL): nobody reaches it without a zke token of scope
// `read` or more, given as the password of HTTP Basic authentication (the browser asks for it) or as a bearer
// token, and nobody changes anything through it: only GET and HEAD pass (the UI server's own write actions are off
// too). The UI server itself listens on loopback only, with publicPath /temporal-ui (scripts/cluster.sh).
import http from 'node:http';
import type { Request, Response } from 'express';
import { allows } from '../common/scopes.ts';
import type { TokenStore } from '../common/tokens.ts';
import { bearerOf } from './auth/bearer.ts';
import { problem } from './problem.ts';

export const TEMPORAL_UI_PATH = '/temporal-ui';
const READS = new Set(['GET', 'HEAD']);

/** The token of a Basic header's password, or of a Bearer header. */
function presentedToken(header: string | undefined): string | undefined {
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  if (!basic) return bearerOf(header);
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) || undefined;
}

export function temporalUiProxy(target: string, tokens: TokenStore) {
  const upstream = new URL(target);
  return (req: Request, res: Response) => {
    const token = tokens.identify(presentedToken(req.get('authorization')) ?? '');
    if (!token || !allows(token.scope, 'read')) {
      res.set('WWW-Authenticate', 'Basic realm="zke: Temporal UI (any user name, a zke token as password)"');
      return problem(res, 401, 'Unauthorized', 'the Temporal UI needs a zke token of scope "read" or more');
    }
    if (!READS.has(req.method)) {
      res.set('Allow', 'GET, HEAD');
      return problem(
        res,
        405,
        'Method Not Allowed',
        'the Temporal UI is read-only: change clusters through zke',
      );
    }
    const { authorization: _, host: __, ...headers } = req.headers;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.originalUrl, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (err) => {
      if (res.headersSent) return res.destroy(err);
      problem(res, 502, 'Bad Gateway', `the Temporal UI at ${target} does not answer: ${err.message}`);
    });
    req.pipe(forward);
  };
}
