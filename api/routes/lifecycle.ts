// Day-2 operations on a provisioned cluster: upgrade, rollback, certificate rotation, etcd snapshots and restore.
import type { z } from 'zod';
import { archivePathProblem } from '../../common/hostPolicy.ts';
import { ROTATABLE_SERVICES } from '../../model/pki/index.ts';
import type { RouteTable } from '../http/route.ts';
import { conflict, invalid, notFound } from '../problem.ts';
import {
  ClusterParams,
  ImagesLoadRequest,
  OperationPlan,
  RevisionList,
  RollbackRequest,
  RotateKeyRequest,
  RotateRequest,
  SnapshotList,
  SnapshotParams,
  SnapshotRequest,
  UpgradeRequest,
} from '../schemas.ts';
import type { Services } from '../service/index.ts';
import type { InputOf, StartableKind } from '../service/operationIds.ts';
import {
  keyRotationDryRun,
  type OperationPlanView,
  rollbackDryRun,
  rotationDryRun,
} from '../service/plan.ts';
import { ACCEPTED, accepted, addClusterListing, requesterOf, sourceOf } from './reply.ts';

export function lifecycleRoutes(routes: RouteTable, s: Services): void {
  /** Checks the cluster is provisioned (or what `check` asks) and idle, then starts the operation. */
  const start = <K extends StartableKind>(
    kind: K,
    cluster: string,
    input: Omit<InputOf<K>, 'cluster'>,
    revision?: number,
    check = (name: string) => s.clusters.requireProvisioned(name),
  ) =>
    s.locks.run(cluster, async () => {
      check(cluster);
      await s.operations.assertIdle(cluster);
      return accepted({
        ...(await s.operations.start(kind, cluster, { cluster, ...input } as InputOf<K>)),
        cluster,
        revision,
      });
    });
  const requireRevision = (cluster: string, number: number, path: string) => {
    s.clusters.requireProvisioned(cluster);
    if (!s.revisions.read(cluster, number))
      throw invalid([{ path, message: `cluster ${cluster} has no revision ${number}` }]);
  };
  /** 422 naming each service (or certificate) name the cluster does not have. */
  const refuseUnknownServices = (cluster: string, services: string[]) => {
    const known = new Set<string>([
      ...ROTATABLE_SERVICES,
      ...Object.keys(s.store.read(cluster, 'pki-expiry') ?? {}),
    ]);
    const unknown = services.flatMap((name, i) =>
      known.has(name)
        ? []
        : [
            {
              path: `services[${i}]`,
              message: `unknown service "${name}"; known: ${ROTATABLE_SERVICES.join(', ')}`,
            },
          ],
    );
    if (unknown.length > 0) throw invalid(unknown);
  };
  const snapshots = (cluster: string) => s.store.read<{ name: string }[]>(cluster, 'snapshots') ?? [];
  /** With S3 configured a snapshot zke has no record of may still be there: the restore looks. */
  const offHost = (cluster: string) => {
    const applied = s.revisions.current(cluster)?.revision;
    return applied !== undefined && s.revisions.read(cluster, applied)?.spec.services.etcd.s3 !== undefined;
  };

  addClusterListing(routes, s, {
    path: '/v1/clusters/{name}/revisions',
    tag: 'lifecycle',
    summary: 'List submitted revisions of the spec',
    schema: RevisionList,
    list: (cluster) => ({ revisions: revisionInfos(s, cluster) }),
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/upgrade',
    tag: 'lifecycle',
    summary: 'Upgrade to a submitted revision (default: the latest)',
    params: ClusterParams,
    body: { schema: UpgradeRequest },
    responses: ACCEPTED,
    handle: async ({ params, body }) => {
      const revision = body?.revision ?? s.revisions.latest(params.name) ?? 0;
      requireRevision(params.name, revision, 'revision');
      return start('upgrade', params.name, { revision }, revision);
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/rollback',
    tag: 'lifecycle',
    summary: 'Roll back to an earlier revision (default: the one before the applied one)',
    params: ClusterParams,
    body: { schema: RollbackRequest },
    responses: ACCEPTED,
    handle: async ({ params, body, res }) => {
      if (body?.toRevision !== undefined) requireRevision(params.name, body.toRevision, 'toRevision');
      const { toRevision, restoreSnapshot } = body ?? {};
      const requestedBy = requesterOf(res);
      return start('rollback', params.name, { toRevision, restoreSnapshot, requestedBy }, toRevision);
    },
  });

  addDryRun(routes, s, {
    path: '/v1/clusters/{name}/rollback/plan',
    summary: 'Dry run of a rollback: the target revision and the steps (nothing is stored or started)',
    schema: RollbackRequest,
    plan: (cluster, body) => {
      if (body.toRevision !== undefined) requireRevision(cluster, body.toRevision, 'toRevision');
      return rollbackDryRun(s.store, cluster, body);
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/certificates/rotate',
    tag: 'lifecycle',
    summary: 'Rotate certificates (all services, some services, or the CA and everything)',
    params: ClusterParams,
    body: { schema: RotateRequest },
    responses: ACCEPTED,
    handle: async ({ params, body }) => {
      refuseUnknownServices(params.name, body?.services ?? []);
      return start('rotate-certificates', params.name, { services: body?.services, ca: body?.ca });
    },
  });

  addDryRun(routes, s, {
    path: '/v1/clusters/{name}/certificates/rotate/plan',
    summary:
      'Dry run of a certificate rotation: the certificates re-issued and the restarts (nothing changes)',
    schema: RotateRequest,
    plan: (cluster, body) => {
      refuseUnknownServices(cluster, body.services ?? []);
      return rotationDryRun(s.store, cluster, body);
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/encryption/rotate-key',
    tag: 'lifecycle',
    summary:
      'Rotate the secrets encryption key: a new key read, then written, by every API server; every Secret rewritten; the old key dropped',
    params: ClusterParams,
    body: { schema: RotateKeyRequest },
    responses: ACCEPTED,
    handle: async ({ params }) => {
      const check = (name: string) => {
        s.clusters.requireProvisioned(name);
        const { refusal } = keyRotationDryRun(s.store, name);
        if (refusal) throw conflict(refusal);
      };
      return start('rotate-encryption-key', params.name, {}, undefined, check);
    },
  });

  addDryRun(routes, s, {
    path: '/v1/clusters/{name}/encryption/rotate-key/plan',
    summary: 'Dry run of a key rotation: the steps and their hosts, or why it would refuse (nothing changes)',
    schema: RotateKeyRequest,
    plan: (cluster) => keyRotationDryRun(s.store, cluster),
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/snapshots',
    tag: 'lifecycle',
    summary: 'Take an etcd snapshot',
    params: ClusterParams,
    body: { schema: SnapshotRequest },
    responses: ACCEPTED,
    handle: async ({ params, body }) => start('snapshot', params.name, { name: body?.name }),
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/images/load',
    tag: 'images',
    summary: "Load image archives on the zke server into every node's Docker (the air-gap path)",
    description:
      "Starts `loadImages`: each archive is streamed to every node of the cluster's latest revision (nodes in parallel), skipped on a node that has all its images. The cluster needs a submitted spec, not a successful provision: the request may carry it (`spec`, e.g. before the first `up`), or an earlier `up` stored it; then run `up`. 422 names each archive that is not an absolute path inside an image directory (ZKE_IMAGE_DIRS, default ZKE_HOME/images) or not a file there, with what to do; 409 while another operation runs.",
    params: ClusterParams,
    body: { schema: ImagesLoadRequest, required: true },
    responses: ACCEPTED,
    handle: async ({ params, body, req, res }) => {
      refuseUnloadableArchives(body.archives);
      return accepted(
        await s.submissions.loadImages(params.name, body.archives, body.spec, sourceOf(req, res)),
      );
    },
  });

  addClusterListing(routes, s, {
    path: '/v1/clusters/{name}/snapshots',
    tag: 'lifecycle',
    summary: 'List etcd snapshots',
    schema: SnapshotList,
    list: (cluster) => ({ snapshots: snapshots(cluster) }),
  });

  routes.add({
    method: 'post',
    path: '/v1/clusters/{name}/snapshots/{snapshot}/restore',
    tag: 'lifecycle',
    summary: 'Restore etcd from a snapshot',
    params: SnapshotParams,
    responses: ACCEPTED,
    handle: async ({ params }) => {
      s.clusters.require(params.name);
      if (!snapshots(params.name).some((snap) => snap.name === params.snapshot) && !offHost(params.name))
        throw notFound(`cluster ${params.name} has no snapshot ${params.snapshot}`);
      return start('restore', params.name, { snapshot: params.snapshot });
    },
  });
}

/** 422 naming each archive the worker may not load, and why. */
function refuseUnloadableArchives(archives: readonly string[]): void {
  const errors = archives.flatMap((archive, i) => {
    const problem = archivePathProblem(archive);
    return problem ? [{ path: `archives[${i}]`, message: problem }] : [];
  });
  if (errors.length > 0) throw invalid(errors);
}

/** POST `path`: a read-only dry run of a day-2 operation on a provisioned cluster, from its request body. */
function addDryRun<B extends z.ZodType<object>>(
  routes: RouteTable,
  s: Services,
  def: {
    path: string;
    summary: string;
    schema: B;
    plan: (cluster: string, body: z.infer<B>) => OperationPlanView;
  },
): void {
  routes.add({
    method: 'post',
    path: def.path,
    tag: 'lifecycle',
    summary: def.summary,
    scope: 'read',
    params: ClusterParams,
    body: { schema: def.schema },
    responses: { 200: { description: 'The steps the operation would run.', schema: OperationPlan } },
    handle: async ({ params, body }) => {
      s.clusters.requireProvisioned(params.name);
      return { body: def.plan(params.name, (body ?? {}) as z.infer<B>) };
    },
  });
}

function revisionInfos(s: Services, cluster: string) {
  const applied = s.revisions.current(cluster)?.revision;
  return s.revisions.numbers(cluster).flatMap((n) => {
    const revision = s.revisions.read(cluster, n);
    if (!revision) return [];
    const { number, createdAt, source, spec } = revision;
    return [
      { number, createdAt, source, kubernetesVersion: spec.kubernetesVersion, applied: number === applied },
    ];
  });
}
