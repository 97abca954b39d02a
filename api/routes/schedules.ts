// Schedules: recurring certificate rotation and etcd snapshots per cluster.
import type { RouteTable } from '../http/route.ts';
import { Schedule, ScheduleCreate, ScheduleList, ScheduleParams, SchedulePatch } from '../schemas.ts';
import type { Services } from '../service/index.ts';
import { addClusterListing } from './reply.ts';

export function scheduleRoutes(routes: RouteTable, s: Services): void {
  const path = '/v1/clusters/{name}/schedules/{kind}';
  const one = { 200: { description: 'The schedule.', schema: Schedule } };

  routes.add({
    method: 'post',
    path,
    tag: 'schedules',
    summary: 'Create a schedule (kind: rotation or snapshot)',
    params: ScheduleParams,
    body: { schema: ScheduleCreate, required: true },
    responses: { 201: { description: 'The schedule was created.', schema: Schedule } },
    handle: async ({ params, body }) => {
      s.clusters.require(params.name);
      return { status: 201, body: await s.schedules.create(params.name, params.kind, body) };
    },
  });

  addClusterListing(routes, s, {
    path: '/v1/clusters/{name}/schedules',
    tag: 'schedules',
    summary: 'List the schedules of a cluster',
    schema: ScheduleList,
    list: async (cluster) => ({ schedules: await s.schedules.list(cluster) }),
  });

  routes.add({
    method: 'get',
    path,
    tag: 'schedules',
    summary: 'Show a schedule',
    params: ScheduleParams,
    responses: one,
    handle: async ({ params }) => ({ body: await s.schedules.get(params.name, params.kind) }),
  });

  routes.add({
    method: 'patch',
    path,
    tag: 'schedules',
    summary: 'Pause, unpause or change the interval of a schedule',
    params: ScheduleParams,
    body: { schema: SchedulePatch, required: true },
    responses: one,
    handle: async ({ params, body }) => ({ body: await s.schedules.patch(params.name, params.kind, body) }),
  });

  routes.add({
    method: 'delete',
    path,
    tag: 'schedules',
    summary: 'Delete a schedule',
    params: ScheduleParams,
    responses: { 204: { description: 'Deleted.' } },
    handle: async ({ params }) => {
      await s.schedules.remove(params.name, params.kind);
      return { status: 204 };
    },
  });
}
