// The REST API application: routers are mounted here; errors leave as application/problem+json.
import type { Client } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import { checkHealth } from './health.ts';

export interface ApiDeps {
  client: Client;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', async (_req, res) => {
    const health = await checkHealth(deps.client);
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  app.use((req, res) => problem(res, 404, 'Not Found', `no route for ${req.method} ${req.path}`));
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    problem(res, err.status ?? 500, err.status ? err.message : 'Internal Server Error', err.status ? undefined : 'unexpected error; see the API log');
    if (!err.status) console.error(err);
  });
  return app;
}

export function problem(res: Response, status: number, title: string, detail?: string, extra: Record<string, unknown> = {}): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }));
}
