// zke plan [-c cluster.yml] [--state FILE] [--json]: per host, what would be created, replaced or removed and why.
//
// The state file (JSON) says what the hosts run now, keyed by node name (or address):
//   { "etcdMembers": ["node1"],                          optional; default: hosts that run an `etcd` container
//     "hosts": { "node1": { "containers": [ { "name", "image", "command": [], "env": [], "binds": [],
//                                             "networkMode", "pidMode", "privileged", "restartPolicy",
//                                             "labels": {}, "imageEnv": [] } ],
//                           "files": [ { "path", "hash", "mode" } ] } } }
// Containers are in `docker inspect` terms (command = entrypoint + cmd). Without --state every host is empty.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type ContainerChange, diffHost, type HostDiff, type HostNow } from '../../model/diff.ts';
import { buildPlan, type ClusterPlan, describeStep } from '../../model/plan/index.ts';
import type { ClusterSpec } from '../../model/spec/index.ts';
import { type Command, EXIT } from '../command.ts';
import { DEFAULT_CONFIG, loadSpec, usageError } from './validate.ts';

const USAGE = `Usage: zke plan [-c cluster.yml] [--state FILE] [--json]

Shows, per host, which containers would be created, replaced (and why) or removed, and which files written.
  --state FILE   JSON of what the hosts run now, by node name or address:
                   {"etcdMembers": ["node1"],
                    "hosts": {"node1": {"containers": [<docker inspect: name, image, command, env, binds,
                                          networkMode, pidMode, privileged, restartPolicy, labels, imageEnv>],
                                        "files": [{"path": "...", "hash": "...", "mode": 420}]}}}
                 etcdMembers defaults to the hosts that run an etcd container
  --json         the plan and the per-host diffs as JSON`;

const containerSchema = z.object({
  name: z.string(),
  image: z.string(),
  command: z.array(z.string()),
  env: z.array(z.string()).default([]),
  binds: z.array(z.string()).default([]),
  networkMode: z.string().default('default'),
  pidMode: z.string().default(''),
  privileged: z.boolean().default(false),
  restartPolicy: z.string().default('no'),
  labels: z.record(z.string(), z.string()).default({}),
  imageEnv: z.array(z.string()).optional(),
});

const stateSchema = z.object({
  etcdMembers: z.array(z.string()).optional(),
  hosts: z
    .record(
      z.string(),
      z.object({
        containers: z.array(containerSchema).default([]),
        files: z.array(z.object({ path: z.string(), hash: z.string(), mode: z.number() })).default([]),
      }),
    )
    .default({}),
});
export type StateFile = z.infer<typeof stateSchema>;

export async function readState(file: string | undefined): Promise<StateFile> {
  if (file === undefined) return { hosts: {} };
  const parsed = stateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`);
}

/** State hosts by node name; hosts keyed by an address that a node has are renamed to that node. */
function hostsByName(spec: ClusterSpec, state: StateFile): Map<string, HostNow> {
  const nameOf = (key: string) => spec.nodes.find((n) => n.name === key || n.address === key)?.name ?? key;
  return new Map(Object.entries(state.hosts).map(([key, now]) => [nameOf(key), now]));
}

export function planAgainstState(
  spec: ClusterSpec,
  state: StateFile,
): { plan: ClusterPlan; diffs: HostDiff[] } {
  const now = hostsByName(spec, state);
  const runningEtcd = [...now]
    .filter(([, h]) => h.containers.some((c) => c.name === 'etcd'))
    .map(([name]) => name);
  const plan = buildPlan(spec, { etcdMembers: state.etcdMembers ?? runningEtcd, hosts: [...now.keys()] });
  const empty: HostNow = { containers: [], files: [] };
  const diffs = [
    ...plan.hosts.map((host) => diffHost(host.name, host, now.get(host.name) ?? empty)),
    ...plan.removedHosts.map((name) => diffHost(name, undefined, now.get(name) ?? empty)),
  ];
  return { plan, diffs };
}

const SYMBOL = { create: '+', replace: '~', remove: '-', unchanged: '=' } as const;

function containerLine(change: ContainerChange): string {
  const head = `  ${SYMBOL[change.action]} ${change.name.padEnd(26)} ${change.action}`;
  const reasons = change.reasons.map((r) => `\n      ${r.field}: ${r.detail}`).join('');
  return head + reasons;
}

function filesLine(diff: HostDiff): string {
  const count = (action: string) => diff.files.filter((f) => f.action === action).length;
  const present = count('unknown') + count('unchanged');
  return `  files: ${count('create')} to write, ${count('replace')} to rewrite, ${count('remove')} to remove, ${present} present (content is compared when applied)`;
}

export function renderPlan(plan: ClusterPlan, diffs: readonly HostDiff[]): string {
  const out = [`Plan for cluster "${plan.clusterName}", Kubernetes ${plan.kubernetesVersion}`];
  for (const diff of diffs) {
    const host = plan.hosts.find((h) => h.name === diff.host);
    const title = host
      ? `${host.name} (${host.address}) [${host.roles.join(', ')}]`
      : `${diff.host} (removed from the spec)`;
    out.push('', title, ...diff.containers.map(containerLine), filesLine(diff));
  }
  const all = diffs.flatMap((d) => d.containers);
  const total = (action: string) => all.filter((c) => c.action === action).length;
  if (plan.notes?.length) out.push('', 'Notes:', ...plan.notes.map((note) => `  ${note}`));
  if (plan.refusal) out.push('', `Refused: ${plan.refusal}`);
  else out.push('', 'Steps:', ...plan.steps.map((step, i) => `  ${i + 1}. ${describeStep(step)}`));
  out.push('Addons:', ...plan.addons.map((addon) => `  ${addon}`));
  out.push(
    `Containers: ${total('create')} to create, ${total('replace')} to replace, ${total('remove')} to remove, ${total('unchanged')} unchanged`,
  );
  return out.join('\n');
}

const plan: Command = async (argv) => {
  let values: { config: string; state?: string; json: boolean; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
        state: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return usageError('plan', (error as Error).message, USAGE);
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const spec = await loadSpec(values.config);
  if (!spec) return EXIT.failed;
  let state: StateFile;
  try {
    state = await readState(values.state);
  } catch (error) {
    console.error(`zke plan: cannot read the state file: ${(error as Error).message}`);
    return EXIT.failed;
  }
  const result = planAgainstState(spec, state);
  console.log(values.json ? JSON.stringify(result, null, 2) : renderPlan(result.plan, result.diffs));
  return EXIT.ok;
};
export default plan;
