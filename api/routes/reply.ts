// Shared reply shapes and route patterns.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { tokenName, tokenScope } from '../auth/bearer.ts';
import type { Reply, ResponseDef, RouteTable } from '../http/route.ts';
import { ClusterParams, OperationAccepted } from '../schemas.ts';
import type { Services } from '../service/index.ts';

export interface Started {
  operationId: string;
  cluster: string;
  operation: string;
  revision?: number;
  warnings?: readonly { path: string; message: string }[];
}

export function operationUrl(id: string): string {
  return `/v1/operations/${encodeURIComponent(id)}`;
}

/** 202 Accepted with the operation's URL in Location and in the body. */
export function accepted(started: Started): Reply {
  const location = operationUrl(started.operationId);
  return {
    status: 202,
    headers: { Location: location },
    body: { ...started, location, events: `${location}/events` },
  };
}

export const ACCEPTED: Record<number, ResponseDef> = {
  202: { description: 'The operation started; follow it at Location.', schema: OperationAccepted },
};

/** The token behind a request, and its scope. */
export function requesterOf(res: Response): string {
  return `token ${tokenName(res)} (scope ${tokenScope(res)})`;
}

/** Who submitted what, kept with a revision. */
export function sourceOf(req: Request, res: Response): string {
  return `${req.method} ${req.originalUrl} (${req.get('content-type') ?? 'no content type'}) by ${requesterOf(res)}`;
}

export interface ListingDef {
  path: string;
  tag: string;
  summary: string;
  schema: z.ZodType;
  list(cluster: string): unknown;
}

/** A GET under /v1/clusters/{name}: 404 unless the cluster exists, else the listing. */
export function addClusterListing(routes: RouteTable, s: Services, def: ListingDef): void {
  routes.add({
    method: 'get',
    path: def.path,
    tag: def.tag,
    summary: def.summary,
    params: ClusterParams,
    responses: { 200: { description: def.summary, schema: def.schema } },
    handle: async ({ params }) => {
      s.clusters.require(params.name);
      return { body: await def.list(params.name) };
    },
  });
}
