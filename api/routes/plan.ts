// Dry runs: the latest submitted revision, or a posted spec, against the applied revision.

import { readRevisionSpec } from '../../common/revisions.ts';
import type { RouteTable } from '../http/route.ts';
import { invalid, notFound } from '../problem.ts';
import { ClusterParams, Plan } from '../schemas.ts';
import type { Services } from '../service/index.ts';
import { appliedOf, planChanges } from '../service/plan.ts';
import { validate } from '../service/submit.ts';
import { specBody } from './clusters.ts';

export function planRoutes(routes: RouteTable, s: Services): void {
  const applied = (cluster: string) => {
    const { state, spec } = appliedOf(s.store, cluster);
    const etcd = { etcdImages: state.etcdImages, etcdOrigin: state.etcdOrigin };
    return { fromRevision: state.revision, applied: spec, etcd };
  };
  const responses = { 200: { description: 'What would change.', schema: Plan } };

  routes.add({
    method: 'get',
    path: '/v1/clusters/{name}/plan',
    tag: 'clusters',
    summary: 'Dry run: the latest submitted revision against the applied one',
    params: ClusterParams,
    responses,
    handle: async ({ params }) => {
      s.clusters.require(params.name);
      const toRevision = s.revisions.latest(params.name);
      const target =
        toRevision === undefined ? undefined : readRevisionSpec(s.store, params.name, toRevision);
      if (!target) throw notFound(`cluster ${params.name} has no submitted revision`);
      return { body: planChanges({ target, toRevision, ...applied(params.name) }) };
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/plan',
    tag: 'clusters',
    summary: 'Dry run: a posted spec against the applied revision (nothing is stored or started)',
    scope: 'read',
    params: ClusterParams,
    body: specBody,
    responses,
    handle: async ({ params, body }) => {
      s.clusters.require(params.name);
      const { spec } = validate(body);
      if (spec.clusterName !== params.name)
        throw invalid([
          {
            path: 'cluster_name',
            message: `is "${spec.clusterName}" but the URL names cluster "${params.name}"`,
          },
        ]);
      return { body: planChanges({ target: spec, ...applied(params.name) }) };
    },
  });
}
