// The REST API application: /healthz and /docs are open; everything else needs a bearer token.
// Errors leave as application/problem+json.
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import { config } from '../common/config.ts';
import { ClusterStore } from '../common/store.ts';
import { requireBearer } from './auth/bearer.ts';
import { TokenStore } from './auth/tokens.ts';
import { codecRouter } from './codec.ts';
import { checkHealth } from './health.ts';
import { BODY_LIMIT } from './http/body.ts';
import { docsPage } from './openapi/docsPage.ts';
import { HttpError, problem } from './problem.ts';
import { apiRouter } from './routes/index.ts';
import { AuditLog } from './service/audit.ts';
import { createServices } from './service/index.ts';

export { problem } from './problem.ts';

export interface ApiDeps {
  client: Client;
  /** Defaults from config/ZKE_HOME; tests inject their own. */
  taskQueue?: string;
  store?: ClusterStore;
  tokens?: TokenStore;
  audit?: AuditLog;
  queryTimeoutMs?: number;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.get('/healthz', async (_req, res) => {
    const health = await checkHealth(deps.client);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  app.get('/docs', (_req, res) => {
    res
      .type('html')
      .set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .send(docsPage());
  });
  const tokens = deps.tokens ?? new TokenStore();
  app.use(codecRouter(tokens));
  app.use(requireBearer(tokens));
  const services = createServices({
    client: deps.client,
    taskQueue: deps.taskQueue ?? config.taskQueue,
    store: deps.store ?? new ClusterStore(),
    audit: deps.audit ?? new AuditLog(),
    queryTimeoutMs: deps.queryTimeoutMs,
  });
  app.use(apiRouter(services));
  app.use((req, res) => problem(res, 404, 'Not Found', `no route for ${req.method} ${req.path}`));
  app.use(errorHandler);
  return app;
}

function errorHandler(err: Error, _req: Request, res: Response, _next: NextFunction): void {
  const http = toHttpError(err);
  if (http.status >= 500 && http.status !== 503) console.error(err);
  if (res.headersSent) res.end();
  else problem(res, http.status, http.title, http.detail, http.extra);
}

function toHttpError(err: Error & { status?: number; type?: string; limit?: number }): HttpError {
  if (err instanceof HttpError) return err;
  if (err.type === 'entity.too.large')
    return new HttpError(413, 'Content Too Large', `the request body is larger than ${mib(err.limit)} MiB`);
  if (err.status && err.status < 500) return new HttpError(err.status, err.message);
  if (isUnavailable(err))
    return new HttpError(503, 'Service Unavailable', `Temporal is unreachable: ${err.message}`);
  return new HttpError(500, 'Internal Server Error', 'unexpected error; see the API log');
}

/** The parser's limit (bytes) in MiB; the API's limit when the error does not say. */
const mib = (limit = BODY_LIMIT) => Math.round((limit / 1024 / 1024) * 10) / 10;

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4) from the Temporal connection. */
function isUnavailable(err: Error & { code?: number; cause?: unknown }): boolean {
  const code = err.code ?? (err.cause as { code?: number } | undefined)?.code;
  return err.name === 'ServiceError' && (code === 14 || code === 4);
}
