// The REST API application: /healthz, /docs and /openapi.json are open; everything else needs a bearer token.
// Health probes and listings are answered before express when they can be (http/fastPath.ts).
// Errors leave as application/problem+json.
import type { ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import { config } from '../common/config.ts';
import { type ClusterStore, StoreFault, storeFault, UnreadableRecord } from '../common/store.ts';
import { openAuditLog, openClusterStore, openTokenStore } from '../common/stores.ts';
import type { TokenStore } from '../common/tokens.ts';
import { requireBearer } from './auth/bearer.ts';
import { codecRouter } from './codec.ts';
import { answerProbe, checkHealth, type HealthMonitor, healthMonitor } from './health.ts';
import { BODY_LIMIT } from './http/body.ts';
import { type FastPath, fastPath } from './http/fastPath.ts';
import { docsPage } from './openapi/docsPage.ts';
import { HttpError, problem } from './problem.ts';
import { clusterListing } from './routes/clusters.ts';
import { apiRouter, openApiRouter, routeTable } from './routes/index.ts';
import type { AuditLog } from './service/audit.ts';
import { createServices } from './service/index.ts';
import { DEADLINE_EXCEEDED, temporalCode, UNAVAILABLE } from './temporalCode.ts';
import { TEMPORAL_UI_PATH, temporalUiProxy } from './temporalUi.ts';

export { problem } from './problem.ts';

export interface ApiDeps {
  client: Client;
  /** Defaults from config/ZKE_HOME; tests inject their own. */
  taskQueue?: string;
  store?: ClusterStore;
  tokens?: TokenStore;
  /** The Temporal UI to serve under /temporal-ui (default ZKE_TEMPORAL_UI_URL; '' for none). */
  temporalUiUrl?: string;
  audit?: AuditLog;
  queryTimeoutMs?: number;
  /** Bound on each Temporal call (default ZKE_TEMPORAL_DEADLINE_MS, 5 s): past it, 503. */
  temporalDeadlineMs?: number;
  /** How long an event stream's polls may fail in a row before it ends with an error event (default 30 s). */
  streamGiveUpMs?: number;
}

/** The app, and what its server answers before it (probes and hot reads, http/fastPath.ts). */
export type ApiApp = express.Express & { fastPath: FastPath };

export function createApp(deps: ApiDeps): ApiApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // no client sends If-None-Match, and hashing every body cost the listing a fifth of its time under load
  app.set('etag', false);
  const store = deps.store ?? openClusterStore();
  const deadlineMs = deps.temporalDeadlineMs ?? config.temporalDeadlineMs;
  const taskQueue = deps.taskQueue ?? config.taskQueue;
  // probes (a load balancer, many replicas' checks) are answered from the latest look at Temporal and the store
  const health = healthMonitor(() => checkHealth({ client: deps.client, store, taskQueue, deadlineMs }));
  app.get('/healthz', (_req, res) => answerProbe(health, res));
  app.get('/docs', (_req, res) => {
    res
      .type('html')
      .set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .send(docsPage());
  });
  const services = createServices({
    client: deps.client,
    taskQueue,
    store,
    audit: deps.audit ?? openAuditLog(),
    queryTimeoutMs: deps.queryTimeoutMs,
    temporalDeadlineMs: deadlineMs,
    streamGiveUpMs: deps.streamGiveUpMs,
  });
  const routes = routeTable(services);
  app.use(openApiRouter(routes));
  const tokens = deps.tokens ?? openTokenStore();
  app.use(codecRouter(tokens));
  const uiUrl = deps.temporalUiUrl ?? config.temporalUiUrl;
  if (uiUrl) app.use(TEMPORAL_UI_PATH, temporalUiProxy(uiUrl, tokens));
  app.use(requireBearer(tokens));
  // Every Temporal call a request makes shares one deadline (streams renew it per poll).
  app.use((_req, res, next) =>
    services.operations.withDeadline(
      () =>
        new Promise<void>((resolve) => {
          res.once('close', resolve);
          next();
        }),
    ),
  );
  app.use(apiRouter(routes));
  app.use((req, res) => problem(res, 404, 'Not Found', `no route for ${req.method} ${req.path}`));
  app.use(errorHandler(health));
  const listing = () => services.operations.withDeadline(() => clusterListing(services));
  const reads = new Map([['/v1/clusters', { scope: 'read' as const, json: listing }]]);
  const probe = (res: ServerResponse) => void answerProbe(health, res);
  return Object.assign(app, { fastPath: fastPath({ probe, tokens, reads }) });
}

/** Errors as problem+json; a fault of the store or Temporal makes the next health probe check again. */
function errorHandler(health: HealthMonitor) {
  return (err: Error, _req: Request, res: Response, _next: NextFunction): void => {
    const http = toHttpError(err);
    if (http.status === 503 || http.status === 507) health.invalidate();
    if (http.status >= 500 && http.status !== 503) console.error(err);
    if (res.headersSent) res.end();
    else problem(res, http.status, http.title, http.detail, http.extra);
  };
}

function toHttpError(err: Error & { status?: number; type?: string; limit?: number }): HttpError {
  if (err instanceof HttpError) return err;
  if (err.type === 'entity.too.large')
    return new HttpError(413, 'Content Too Large', `the request body is larger than ${mib(err.limit)} MiB`);
  if (err.status && err.status < 500) return new HttpError(err.status, err.message);
  if (err instanceof UnreadableRecord)
    return new HttpError(500, 'Unreadable Cluster Record', err.message, { cluster: err.cluster });
  const grpc = temporalCode(err);
  if (grpc === DEADLINE_EXCEEDED)
    return new HttpError(
      503,
      'Service Unavailable',
      'Temporal did not answer in time (ZKE_TEMPORAL_DEADLINE_MS); no operation this request started will run',
    );
  if (grpc === UNAVAILABLE)
    return new HttpError(503, 'Service Unavailable', `Temporal is unreachable: ${err.message}`);
  const fault = storeFault(err, 'ZKE_HOME');
  if (fault instanceof StoreFault)
    return fault.full
      ? new HttpError(507, 'Insufficient Storage', fault.message)
      : new HttpError(503, 'Service Unavailable', fault.message);
  return new HttpError(500, 'Internal Server Error', 'unexpected error; see the API log');
}

/** The parser's limit (bytes) in MiB; the API's limit when the error does not say. */
const mib = (limit = BODY_LIMIT) => Math.round((limit / 1024 / 1024) * 10) / 10;
