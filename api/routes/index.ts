// Every /v1 route and the OpenAPI document describing them.
import express, { type Router } from 'express';
import { rawBody } from '../http/body.ts';
import { RouteTable } from '../http/route.ts';
import { openApiDocument } from '../openapi/document.ts';
import type { Services } from '../service/index.ts';
import { clusterRoutes } from './clusters.ts';
import { lifecycleRoutes } from './lifecycle.ts';
import { operationRoutes } from './operations.ts';
import { planRoutes } from './plan.ts';
import { scheduleRoutes } from './schedules.ts';

export const API_INFO = {
  title: 'zke API',
  version: '1',
  description:
    'Provision and operate Kubernetes clusters on hosts reachable over SSH with Docker. Long operations run as Temporal workflows: they answer 202 with an operation id to follow (GET /v1/operations/{id}, or its /events stream).',
};

export function routeTable(s: Services): RouteTable {
  const routes = new RouteTable();
  clusterRoutes(routes, s);
  lifecycleRoutes(routes, s);
  planRoutes(routes, s);
  scheduleRoutes(routes, s);
  operationRoutes(routes, s);
  return routes;
}

/** /openapi.json: served without a token, like /docs (it describes the API and holds no data). */
export function openApiRouter(routes: RouteTable): Router {
  const document = openApiDocument(routes.routes, API_INFO);
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}

/** The authenticated API: /v1/*. */
export function apiRouter(routes: RouteTable): Router {
  const router = express.Router();
  router.use(rawBody);
  routes.mount(router);
  return router;
}
