// A route is declared once: express serves it (validating params, query and body with its zod schemas)
// and the OpenAPI document describes it from the same declaration.
import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { ApiScope } from '../../common/scopes.ts';
import { formatPath } from '../../model/spec/paths.ts';
import { requireScope } from '../auth/bearer.ts';
import { badRequest, type FieldError, invalid, notFound } from '../problem.ts';
import { parseBody } from './body.ts';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseDef {
  description: string;
  /** A schema registered in api/schemas.ts (so it is a named component). */
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export interface BodyDef<B> {
  schema: z.ZodType<B>;
  required?: boolean;
  /** False: the handler validates (the schema only documents the body). */
  validate?: boolean;
  /** Content types to document (default JSON; YAML is always accepted too). */
  types?: string[];
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

type Empty = Record<string, never>;

export interface RouteDef<P = Empty, Q = Empty, B = undefined> {
  method: Method;
  /** OpenAPI style: /v1/clusters/{name}. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** The token scope it needs; default: read for GET, operate otherwise. */
  scope?: ApiScope;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: BodyDef<B>;
  responses: Record<number, ResponseDef>;
  /** Returns the reply, or undefined when it wrote the response itself (streams). */
  handle(input: RouteInput<P, Q, B>): Promise<Reply | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: a table of routes with different input types
export type AnyRoute = RouteDef<any, any, any>;

export class RouteTable {
  readonly routes: AnyRoute[] = [];

  add<P = Empty, Q = Empty, B = undefined>(def: RouteDef<P, Q, B>): void {
    this.routes.push(def as AnyRoute);
  }

  mount(router: Router): void {
    for (const def of this.routes)
      router[def.method](expressPath(def.path), (req, res) => serve(def, req, res));
  }
}

export function scopeOf(def: AnyRoute): ApiScope {
  return def.scope ?? (def.method === 'get' ? 'read' : 'operate');
}

function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

async function serve(def: AnyRoute, req: Request, res: Response): Promise<void> {
  requireScope(res, scopeOf(def));
  const params = def.params
    ? check(def.params, req.params, () => notFound(`no such resource: ${req.path}`))
    : {};
  const query = def.query ? check(def.query, req.query, (errors) => badRequest(describe(errors))) : {};
  const body = checkBody(def.body, await parseBody(req));
  const reply = await def.handle({ params, query, body, req, res });
  if (!reply) return;
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status ?? 200);
  if (reply.body === undefined) res.end();
  else if (reply.contentType) res.type(reply.contentType).send(reply.body);
  else res.json(reply.body);
}

function checkBody(def: BodyDef<unknown> | undefined, raw: unknown): unknown {
  if (raw === undefined && def?.required)
    throw invalid([{ path: '', message: 'a request body is required' }]);
  if (!def || raw === undefined || def.validate === false) return raw;
  return check(def.schema, raw, (errors) => invalid(errors));
}

function check<T>(schema: z.ZodType<T>, value: unknown, fail: (errors: FieldError[]) => Error): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw fail(result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
}

function describe(errors: FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}
