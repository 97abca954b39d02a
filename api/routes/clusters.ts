// Clusters: submit, list, show, change and remove; the admin kubeconfig (audited).

import type { Request, Response } from 'express';
import { exportRkeState, NothingToExport } from '../../common/stateExport.ts';
import { tokenName, tokenScope } from '../auth/bearer.ts';
import { YAML_TYPES } from '../http/body.ts';
import type { RouteTable } from '../http/route.ts';
import { notFound } from '../problem.ts';
import {
  AdoptRequest,
  ClusterDetail,
  ClusterList,
  ClusterParams,
  ClusterSpecInput,
  OperationList,
  RemoveQuery,
  RkeStateFile,
} from '../schemas.ts';
import type { Services } from '../service/index.ts';
import { ACCEPTED, accepted, addClusterListing, sourceOf } from './reply.ts';

export const specBody = {
  schema: ClusterSpecInput,
  required: true,
  validate: false,
  types: ['application/json', YAML_TYPES[0]],
};

/** Concurrent listings share one list: it is serialized once. */
const serialized = new WeakMap<object, string>();
function listingJson(listing: object): string {
  const cached = serialized.get(listing);
  if (cached !== undefined) return cached;
  const json = JSON.stringify(listing);
  serialized.set(listing, json);
  return json;
}

/** GET /v1/clusters's body (also served on the fast path, see app.ts). */
export async function clusterListing(s: Services): Promise<string> {
  return listingJson(await s.clusters.list());
}

/** The audit line of a request that reads or hands over key material: what, which cluster, whose token, from where. */
function auditor(s: Services) {
  return (action: string, cluster: string, req: Request, res: Response, outcome?: string) =>
    s.audit.record({
      action,
      cluster,
      token: tokenName(res),
      scope: tokenScope(res),
      remote: req.ip,
      outcome,
    });
}

export function clusterRoutes(routes: RouteTable, s: Services): void {
  const audited = auditor(s);
  routes.add({
    method: 'post',
    path: '/v1/clusters',
    tag: 'clusters',
    summary: 'Create a cluster from a spec and provision it',
    description:
      'Validates the spec, stores it as revision 1 and starts provisioning. 409 if the name is taken.',
    body: specBody,
    responses: ACCEPTED,
    handle: async ({ body, req, res }) => accepted(await s.submissions.create(body, sourceOf(req, res))),
  });

  routes.add({
    method: 'get',
    path: '/v1/clusters',
    tag: 'clusters',
    summary: 'List clusters',
    description:
      'When Temporal does not answer in time the listing is still 200, from the store: each cluster has `runningOperationUnknown: true` and the top-level `problem` says why.',
    responses: { 200: { description: 'The clusters.', schema: ClusterList } },
    handle: async () => ({ body: await clusterListing(s), contentType: 'application/json' }),
  });

  routes.add({
    method: 'get',
    path: '/v1/clusters/{name}',
    tag: 'clusters',
    summary: 'Show a cluster: phase, revisions, operations, per-host state, certificate expiry',
    params: ClusterParams,
    responses: { 200: { description: 'The cluster.', schema: ClusterDetail } },
    handle: async ({ params }) => ({ body: await s.clusters.detail(params.name) }),
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/adopt',
    tag: 'clusters',
    summary: "Adopt a running cluster: compare its hosts with zke's plan, or (apply) take it over in place",
    description:
      "The spec becomes a revision and the state file's certificates and encryption keys zke's own; then the " +
      '`adopt` operation checks every host (pinning its SSH host key) and lists, per host, the containers zke would ' +
      'replace and why. With `apply: true` it then records the cluster as running that revision and applies it. ' +
      '422 names what is unusable in the spec or the state file; 409 when zke manages the cluster already. ' +
      'Audit-logged with its outcome, accepted or refused (the body holds private keys).',
    scope: 'admin',
    params: ClusterParams,
    body: { schema: AdoptRequest, required: true },
    responses: ACCEPTED,
    handle: async ({ params, body, req, res }) => {
      const request = { spec: body.spec, state: body.state, apply: body.apply ?? false };
      const audit = (outcome: string) => audited('state.adopt', params.name, req, res, outcome);
      const started = await s.submissions.adopt(params.name, request, sourceOf(req, res)).catch((error) => {
        audit(`refused (${(error as { status?: number }).status ?? 500})`);
        throw error;
      });
      audit(`accepted: operation ${started.operationId}`);
      return accepted(started);
    },
  });

  routes.add({
    method: 'put',
    path: '/v1/clusters/{name}',
    tag: 'clusters',
    summary: 'Apply a changed spec (upgrade/reconcile once provisioned, else provision)',
    params: ClusterParams,
    body: specBody,
    responses: ACCEPTED,
    handle: async ({ params, body, req, res }) =>
      accepted(await s.submissions.update(params.name, body, sourceOf(req, res))),
  });

  routes.add({
    method: 'delete',
    path: '/v1/clusters/{name}',
    tag: 'clusters',
    summary: 'Remove the cluster from its hosts, or with forget=true only forget it',
    description:
      "Cleans every host of zke's containers and files, then deletes zke's record of the cluster. With " +
      '`forget=true` no host is touched (for a cluster whose hosts are gone or were never set up).',
    scope: 'admin',
    params: ClusterParams,
    query: RemoveQuery,
    responses: ACCEPTED,
    handle: async ({ params, query }) => {
      s.clusters.require(params.name);
      await s.operations.assertIdle(params.name);
      const input = { cluster: params.name, forget: query.forget === 'true' };
      return accepted({
        ...(await s.operations.start('remove', params.name, input)),
        cluster: params.name,
      });
    },
  });

  addClusterListing(routes, s, {
    path: '/v1/clusters/{name}/operations',
    tag: 'operations',
    summary: 'List the operations of a cluster, newest first',
    schema: OperationList,
    list: async (cluster) => ({ operations: await s.operations.list(cluster) }),
  });

  routes.add({
    method: 'get',
    path: '/v1/clusters/{name}/kubeconfig',
    tag: 'clusters',
    summary: 'Download the admin kubeconfig (every download is audit-logged)',
    scope: 'admin',
    params: ClusterParams,
    responses: { 200: { description: 'The admin kubeconfig.', contentType: 'application/yaml' } },
    handle: async ({ params, req, res }) => {
      s.clusters.require(params.name);
      const kubeconfig = s.store.read<{ yaml: string }>(params.name, 'kubeconfig');
      if (!kubeconfig)
        throw notFound(
          `cluster ${params.name} has no kubeconfig yet (it is written when provisioning succeeds)`,
        );
      audited('kubeconfig.read', params.name, req, res);
      return {
        body: kubeconfig.yaml,
        contentType: 'application/yaml',
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  });

  routes.add({
    method: 'get',
    path: '/v1/clusters/{name}/state/export',
    tag: 'clusters',
    summary:
      "Export the cluster's state as RKE's cluster.rkestate (private keys included; every export is audit-logged)",
    description:
      'The applied revision as RKE `rkeConfig`, every certificate with its private key, and the secrets ' +
      'encryption config: what RKE needs to manage the cluster, and what `zke adopt` reads back. 404 until provisioned.',
    scope: 'admin',
    params: ClusterParams,
    responses: { 200: { description: 'The state file (JSON).', schema: RkeStateFile } },
    handle: async ({ params, req, res }) => {
      s.clusters.require(params.name);
      const state = readState(s, params.name);
      audited('state.export', params.name, req, res);
      return {
        body: `${JSON.stringify(state, null, 2)}\n`,
        contentType: 'application/json',
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  });
}

function readState(s: Services, cluster: string) {
  try {
    return exportRkeState(s.store, cluster);
  } catch (error) {
    throw error instanceof NothingToExport ? notFound(error.message) : error;
  }
}
