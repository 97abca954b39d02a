// The API's request and response shapes: validated with zod at run time and emitted as the OpenAPI
// components (one source of truth). Every schema a route names is registered here under its component name.
import { z } from 'zod';
import { SCHEDULE_KINDS } from '../common/schedules.ts';
import { CertificatePkiSchema } from '../model/rkestate/types.ts';
import { rawClusterSchema } from '../model/spec/raw-schema.ts';
import { OPERATIONS } from '../workflows/types.ts';

export const components = z.registry<{ id: string; description?: string }>();
function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  components.add(schema, { id, description });
  return schema;
}

const NAME_RE = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;
export const clusterName = z.string().regex(NAME_RE, 'a lower-case DNS name: letters, digits, "-" and "."');
const isoTime = z.string().describe('ISO 8601 timestamp');
const operationKind = z.enum(OPERATIONS);

export const FieldError = named(
  'FieldError',
  'One problem, located by its path in the submitted document (`nodes[2].address`).',
  z.object({ path: z.string(), message: z.string() }),
);

export const Problem = named(
  'Problem',
  'RFC 9457 problem details (`application/problem+json`).',
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    errors: z.array(FieldError).optional().describe('validation errors (422)'),
    warnings: z.array(FieldError).optional(),
    operationId: z.string().optional().describe('the running operation (409)'),
  }),
);

export const ClusterSpecInput = named(
  'ClusterSpecInput',
  'A cluster.yml in zke or RKE format, as YAML (`application/yaml`) or JSON. Secrets in it (inline ssh keys, registry passwords) are stored encrypted and never returned.',
  rawClusterSchema,
);

export const OperationAccepted = named(
  'OperationAccepted',
  'An operation was started; follow it at `location`.',
  z.object({
    operationId: z.string().describe('`<cluster>.<run id>`'),
    cluster: z.string(),
    operation: operationKind,
    revision: z.int().optional(),
    location: z.string().describe('URL of the operation'),
    events: z.string().describe('URL of its Server-Sent Events progress stream'),
    warnings: z.array(FieldError).optional(),
  }),
);

export const HostProgress = named(
  'HostProgress',
  'Where one host is in the current operation.',
  z.object({
    state: z.enum(['pending', 'running', 'done', 'skipped', 'failed']),
    step: z.string(),
    error: z.string().optional(),
  }),
);

export const OperationProgress = named(
  'OperationProgress',
  'The `status` query of an operation workflow.',
  z.object({
    cluster: z.string(),
    operation: operationKind,
    revision: z.int().optional(),
    phase: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    step: z.string(),
    stepsDone: z.array(z.string()),
    stepsTotal: z.int(),
    hosts: z.record(z.string(), HostProgress),
    events: z.array(z.string()),
    incomplete: z.array(z.string()).optional(),
    error: z.string().optional(),
  }),
);

export const Operation = named(
  'Operation',
  'One operation (a workflow run) on a cluster.',
  z.object({
    id: z.string(),
    cluster: z.string(),
    operation: z.string(),
    workflowType: z.string(),
    state: z.enum(['running', 'succeeded', 'failed', 'cancelled', 'terminated', 'timed_out']),
    startedAt: isoTime,
    closedAt: isoTime.optional(),
    progress: OperationProgress.optional(),
    result: z.object({ summary: z.string(), skippedHosts: z.array(z.string()) }).optional(),
    error: z.string().optional(),
  }),
);

export const OperationList = named(
  'OperationList',
  'Operations on a cluster, newest first.',
  z.object({ operations: z.array(Operation) }),
);

export const LastOperation = named(
  'LastOperation',
  'The last finished operation, as the workflows recorded it.',
  z.looseObject({
    kind: z.string(),
    revision: z.int().optional(),
    phase: z.string().optional(),
    summary: z.string().optional(),
    finishedAt: isoTime.optional(),
  }),
);

export const ClusterSummary = named(
  'ClusterSummary',
  'A cluster in the list.',
  z.object({
    name: z.string(),
    phase: z
      .string()
      .describe(
        '`pending` until first provisioned; then as the workflows record it; `unreadable` when its records cannot be read (see `problem`)',
      ),
    revision: z.int().optional().describe('the applied revision'),
    latestRevision: z.int().optional().describe('the latest submitted revision'),
    lastOperation: LastOperation.optional(),
    runningOperation: z
      .object({ id: z.string(), operation: z.string(), step: z.string().optional() })
      .optional(),
    runningOperationUnknown: z
      .literal(true)
      .optional()
      .describe(
        'Temporal did not answer in time: whether an operation runs is unknown (`runningOperation` is absent either way)',
      ),
    problem: z
      .string()
      .optional()
      .describe('why the cluster cannot be shown (phase `unreadable`) and what to do about it'),
  }),
);

export const ClusterList = named(
  'ClusterList',
  'Every cluster this service knows.',
  z.object({
    clusters: z.array(ClusterSummary),
    problem: z
      .string()
      .optional()
      .describe(
        'present when the listing is incomplete: Temporal did not answer in time, so it was answered from the store with the running operations unknown',
      ),
  }),
);

export const ClusterDetail = named(
  'ClusterDetail',
  'A cluster: phase, revisions, operations, hosts and certificate expiry.',
  ClusterSummary.extend({
    nodes: z.array(z.object({ name: z.string(), address: z.string(), roles: z.array(z.string()) })),
    hosts: z
      .record(z.string(), HostProgress)
      .describe('per host: from the running operation, else the last result'),
    certificates: z.record(z.string(), isoTime).describe('certificate name → notAfter'),
    certificatesExpireAt: isoTime.optional().describe('the earliest notAfter'),
    kubernetesVersion: z.string().optional(),
  }),
);

export const UpgradeRequest = named(
  'UpgradeRequest',
  'Apply a submitted revision (default: the latest) as an upgrade.',
  z.object({ revision: z.int().min(1).optional() }),
);
export const RollbackRequest = named(
  'RollbackRequest',
  'Return to an earlier revision (default: the one before the applied one).',
  z.object({ toRevision: z.int().min(1).optional(), restoreSnapshot: z.boolean().optional() }),
);
export const RotateRequest = named(
  'RotateRequest',
  'Rotate certificates: every service by default, some services, or the CA too.',
  z.object({ services: z.array(z.string().min(1)).optional(), ca: z.boolean().optional() }),
);
export const RotateKeyRequest = named(
  'RotateKeyRequest',
  'Rotate the secrets encryption key zke made (no options).',
  z.object({}),
);
export const ImagesLoadRequest = named(
  'ImagesLoadRequest',
  'Load `docker save` archives (tar or tar.gz) into the Docker of every node of the cluster (the air-gap path). Each is an absolute path on the zke server, inside an image directory (ZKE_IMAGE_DIRS, default ZKE_HOME/images).',
  z.object({
    archives: z
      .array(z.string().min(1).max(4096))
      .min(1)
      .max(100)
      .describe('paths of the archives, loaded in this order; a node that has every image of one skips it'),
    spec: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "the cluster's cluster.yml (as JSON): submitted as `up` submits it (a new revision when it differs from the latest), but only the images are loaded; what lets the first load come before the first `up`",
      ),
  }),
);

export const SnapshotRequest = named(
  'SnapshotRequest',
  'Take an etcd snapshot now (default name: a timestamp).',
  z.object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/)
      .optional(),
  }),
);

export const Snapshot = named(
  'Snapshot',
  'An etcd snapshot as recorded by the snapshot workflow.',
  z.looseObject({ name: z.string() }),
);
export const SnapshotList = named(
  'SnapshotList',
  'Snapshots of a cluster.',
  z.object({ snapshots: z.array(Snapshot) }),
);

export const scheduleKind = z.enum(SCHEDULE_KINDS);
// At most 5 digits: Temporal refuses intervals over 10000 years (a 500 before this bound).
const interval = z
  .string()
  .regex(/^[1-9][0-9]{0,4}(m|h|d)$/, 'a duration like 30m, 12h or 7d (at most 5 digits)');
export const ScheduleCreate = named(
  'ScheduleCreate',
  'Run the operation every `interval` (a Temporal Schedule).',
  z.object({ interval, paused: z.boolean().optional() }),
);
export const SchedulePatch = named(
  'SchedulePatch',
  'Pause, unpause or change the interval.',
  z.object({ paused: z.boolean().optional(), interval: interval.optional() }),
);
export const Schedule = named(
  'Schedule',
  'A recurring operation.',
  z.object({
    kind: scheduleKind,
    scheduleId: z.string(),
    interval: z.string(),
    paused: z.boolean(),
    nextRunAt: isoTime.optional(),
    lastRunAt: isoTime.optional(),
  }),
);
export const ScheduleList = named(
  'ScheduleList',
  'Schedules of a cluster.',
  z.object({ schedules: z.array(Schedule) }),
);

export const OperationPlan = named(
  'OperationPlan',
  'A dry run of a rollback, a certificate rotation or a key rotation: the steps its workflow will run, or why it would refuse.',
  z.object({
    cluster: z.string(),
    operation: z.enum(['rollback', 'rotate-certificates', 'rotate-encryption-key']),
    fromRevision: z.int().optional().describe('the applied revision'),
    toRevision: z.int().optional().describe("a rollback's target revision"),
    certificates: z.array(z.string()).optional().describe('the certificates a rotation re-issues'),
    phases: z.array(z.string()).describe('the step names, in the order the workflow runs them'),
    steps: z.array(z.string()).describe('the same steps, one line each: how it runs and on which hosts'),
    refusal: z.string().optional().describe('why the operation would refuse before touching anything'),
  }),
);

const change = z.enum(['create', 'replace', 'remove', 'unchanged']);
export const Plan = named(
  'Plan',
  'A dry run: what applying the spec would change, per host, against the plan of the applied revision.',
  z.object({
    cluster: z.string(),
    fromRevision: z.int().optional().describe('the applied revision (absent before the first provision)'),
    toRevision: z.int().optional().describe('the submitted revision (absent for a posted spec)'),
    kubernetesVersion: z.object({ from: z.string().optional(), to: z.string() }),
    phases: z
      .array(z.string())
      .describe(
        'the steps of the operation `zke up` would run (provision, or upgrade once provisioned), in order',
      ),
    steps: z
      .array(z.string())
      .describe('the same steps, one line each: how it runs and on which hosts (what the workflow iterates)'),
    refusal: z
      .string()
      .optional()
      .describe('why the change would be refused before anything is touched (then no step runs)'),
    notes: z
      .array(z.string())
      .describe(
        'where the plan departs from the spec and why (etcd is never downgraded, upgrades a minor at a time)',
      ),
    addons: z
      .array(z.string())
      .describe('the addons applied, in order, one line each (the load balancer with its mode and pools)'),
    prunedAddons: z
      .array(z.string())
      .describe('addons whose objects the applied revision has and this spec no longer renders: deleted'),
    hosts: z.array(
      z.object({
        host: z.string(),
        address: z.string().optional(),
        roles: z.array(z.string()),
        containers: z.array(
          z.object({
            name: z.string(),
            action: change,
            reasons: z.array(z.object({ field: z.string(), detail: z.string() })),
          }),
        ),
        files: z.array(z.object({ path: z.string(), action: z.string(), reasons: z.array(z.string()) })),
      }),
    ),
    summary: z.object({ create: z.int(), replace: z.int(), remove: z.int(), unchanged: z.int() }),
  }),
);

const RkeCertificate = named(
  'RkeCertificate',
  "One entry of RKE's certificatesBundle (its pki.CertificatePKI): PEMs, kubeconfig, names, env names and paths.",
  CertificatePkiSchema,
);
const rkeState = z.object({
  rkeConfig: z.record(z.string(), z.unknown()).describe("RKE's RancherKubernetesEngineConfig (JSON keys)"),
  certificatesBundle: z.record(z.string(), RkeCertificate),
  encryptionConfig: z
    .string()
    .optional()
    .describe('the EncryptionConfiguration, when secrets encryption is on'),
});
export const RkeStateFile = named(
  'RkeStateFile',
  "RKE's `cluster.rkestate` (its cluster.FullState): both states are the applied revision. Holds private keys.",
  z.object({ desiredState: rkeState, currentState: rkeState }),
);

export const AdoptRequest = named(
  'AdoptRequest',
  "Take over a running cluster zke does not manage: its cluster.yml and its state file (RKE's `cluster.rkestate`, or zke's own export), whose CA, certificates, keys and encryption keys zke keeps. `apply: false` (the default) only compares every host's containers with zke's plan; `apply: true` takes the cluster over and applies the spec as an upgrade would.",
  z.object({
    spec: rawClusterSchema.describe('the cluster.yml, as JSON'),
    state: z.record(z.string(), z.unknown()).describe('the state file (JSON); holds private keys'),
    apply: z.boolean().optional(),
  }),
);

export const ClusterParams = z.object({ name: clusterName });
export const OperationParams = z.object({
  id: z.string().min(3).describe('operation id `<cluster>.<run id>`'),
});
export const SnapshotParams = ClusterParams.extend({ snapshot: z.string().min(1) });
export const ScheduleParams = ClusterParams.extend({ kind: scheduleKind });
export const RemoveQuery = z.object({
  forget: z
    .enum(['true', 'false'])
    .optional()
    .describe(
      "true: drop zke's record of the cluster without touching any host (a cluster that never came up)",
    ),
});

export const RevisionInfo = named(
  'RevisionInfo',
  'A submitted spec.',
  z.object({
    number: z.int(),
    createdAt: isoTime,
    source: z.string(),
    kubernetesVersion: z.string(),
    applied: z.boolean(),
  }),
);
export const RevisionList = named(
  'RevisionList',
  'Submitted specs, oldest first.',
  z.object({ revisions: z.array(RevisionInfo) }),
);
