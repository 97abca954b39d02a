// Bearer-token authentication middleware: 401 problem+json unless `Authorization: Bearer <valid token>`;
// 403 when the token's scope does not cover the request (the codec token covers nothing here).
import type { NextFunction, Request, Response } from 'express';
import { type ApiScope, allows, LEGACY_SCOPE, type Scope } from '../../common/scopes.ts';
import type { TokenStore } from '../../common/tokens.ts';
import { HttpError, problem } from '../problem.ts';

/** Name of the token that authenticated the request (for audit lines). */
export function tokenName(res: Response): string {
  return String(res.locals.tokenName ?? 'unknown');
}

/** Scope of the token that authenticated the request. */
export function tokenScope(res: Response): Scope {
  return (res.locals.tokenScope as Scope | undefined) ?? LEGACY_SCOPE;
}

/** 403 problem+json naming the scope needed unless the request's token has it. */
export function requireScope(res: Response, needed: ApiScope): void {
  const held = tokenScope(res);
  if (!allows(held, needed)) throw forbidden(tokenName(res), held, needed);
}

export function forbidden(name: string, held: Scope, needed: ApiScope): HttpError {
  return new HttpError(
    403,
    'Forbidden',
    `this request needs a token with scope "${needed}"; token "${name}" has scope "${held}"`,
    { requiredScope: needed, tokenScope: held },
  );
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

export function requireBearer(tokens: TokenStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    const presented = bearerOf(req.get('authorization'));
    const token = presented ? tokens.identify(presented) : undefined;
    if (!token) {
      res.set('WWW-Authenticate', 'Bearer realm="zke"');
      const detail = presented
        ? 'the bearer token is not valid (revoked or mistyped)'
        : 'missing "Authorization: Bearer <token>" header';
      problem(res, 401, 'Unauthorized', detail);
      return;
    }
    res.locals.tokenName = token.name;
    res.locals.tokenScope = token.scope;
    if (token.scope === 'codec') return next(forbidden(token.name, token.scope, 'read'));
    next();
  };
}
