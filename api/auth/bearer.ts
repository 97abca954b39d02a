// Bearer-token authentication middleware: 401 problem+json unless `Authorization: Bearer <valid token>`.
import type { NextFunction, Request, Response } from 'express';
import type { TokenStore } from '../../common/tokens.ts';
import { problem } from '../problem.ts';

/** Name of the token that authenticated the request (for audit lines). */
export function tokenName(res: Response): string {
  return String(res.locals.tokenName ?? 'unknown');
}

export function requireBearer(tokens: TokenStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const name = match ? tokens.verify(match[1]) : undefined;
    if (!name) {
      res.set('WWW-Authenticate', 'Bearer realm="zke"');
      const detail = match
        ? 'the bearer token is not valid (revoked or mistyped)'
        : 'missing "Authorization: Bearer <token>" header';
      problem(res, 401, 'Unauthorized', detail);
      return;
    }
    res.locals.tokenName = name;
    next();
  };
}
