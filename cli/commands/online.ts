// Shared by the commands that talk to the zke API: options, the cluster name, error reporting and
// starting-then-following an operation.
import { readFile } from 'node:fs/promises';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { parse } from 'yaml';
import { DEFAULTS } from '../../model/spec/defaults.ts';
import { ApiClient, ApiError, describeError, exitCodeOf } from '../api-client.ts';
import { type Command, EXIT } from '../command.ts';
import type { Embedded } from '../embedded.ts';
import { detachedMessage, follow, type OperationView } from '../progress.ts';
import { DEFAULT_CONFIG } from './validate.ts';

/** Exit code when Ctrl-C detached from a running operation (the operation goes on). */
export const EXIT_DETACHED = 130;

/** How the CLI picks its mode (also in `zke --help`). */
export const EMBEDDED_HELP = `Without ZKE_API, and with no API answering where npm start serves it
(ZKE_API_HOST:ZKE_API_PORT), zke runs embedded: it starts the Temporal dev server on ZKE_HOME's database
(default ./.zke, as npm start) and a worker itself, for as long as the command runs (Ctrl-C pauses an operation).`;

export const COMMON_HELP = `Common options:
  -n, --name NAME     the cluster (default: cluster_name of the -c file)
  -c, --config FILE   cluster file (default ${DEFAULT_CONFIG})
      --json          machine-readable output
Environment: ZKE_API (default http://127.0.0.1:8080), ZKE_TOKEN.
${EMBEDDED_HELP}
Exit codes: 0 ok, 1 failed, 2 usage, 3 cluster busy, 4 API unreachable, ${EXIT_DETACHED} detached (Ctrl-C; the operation keeps running).`;

export const FOLLOW_HELP = `      --detach        return once the operation started (do not follow it)
      --cancel        Ctrl-C cancels the operation (default: Ctrl-C detaches and it keeps running)`;

const COMMON = {
  name: { type: 'string', short: 'n' },
  config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  detach: { type: 'boolean', default: false },
  cancel: { type: 'boolean', default: false },
} as const;

export class UsageError extends Error {}

export interface CommonValues {
  name?: string;
  config: string;
  json: boolean;
  help: boolean;
  detach: boolean;
  cancel: boolean;
}

type Values = CommonValues & Record<string, string | boolean | string[] | undefined>;

/** parseArgs with the common options plus `extra`; throws UsageError on unknown options. */
export function parseCommand<O extends ParseArgsConfig['options']>(
  argv: string[],
  extra: O,
  positionals = 0,
) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...COMMON, ...extra },
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals)
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
    return parsed as unknown as { values: Values; positionals: string[] };
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}

/** The cluster file's document (parsed YAML), unless --name names the cluster instead. */
export async function clusterDocument(values: Pick<CommonValues, 'name' | 'config'>): Promise<unknown> {
  if (values.name) return undefined;
  let text: string;
  try {
    text = await readFile(values.config, 'utf8');
  } catch {
    throw new UsageError(`no --name given and cannot read ${values.config} to find cluster_name`);
  }
  return parse(text);
}

/** --name, else cluster_name from the cluster file (zke's default "local" when the file has none). */
export async function clusterName(values: Pick<CommonValues, 'name' | 'config'>): Promise<string> {
  if (values.name) return values.name;
  const doc = (await clusterDocument(values)) as { cluster_name?: unknown } | null;
  return typeof doc?.cluster_name === 'string' && doc.cluster_name ? doc.cluster_name : DEFAULTS.clusterName;
}

/** Runs a command body: usage errors → 2 (with the usage), API errors → their exit codes, with a message. */
export async function runCommand(name: string, usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`zke ${name}: ${error.message}\n\n${usage}`);
      return EXIT.usage;
    }
    console.error(`zke ${name}: ${describeError(error)}`);
    return exitCodeOf(error);
  } finally {
    await embedded?.close();
    embedded = undefined;
  }
}

export interface Accepted {
  operationId: string;
  cluster: string;
  operation: string;
  revision?: number;
  warnings?: { path: string; message: string }[];
  /** Not started by this command: it was already running, and this command follows it. */
  attached?: boolean;
}

/** After a 202: prints what started, follows it (unless --detach), prints the outcome; returns the exit code. */
export async function followStarted(
  api: ApiClient,
  accepted: Accepted,
  values: CommonValues,
  onSuccess?: (operation: OperationView) => Promise<string | undefined>,
): Promise<number> {
  for (const w of accepted.warnings ?? [])
    console.error(`warning: ${w.path ? `${w.path}: ` : ''}${w.message}`);
  const what = `${accepted.operation} of cluster ${accepted.cluster}${accepted.revision ? ` (revision ${accepted.revision})` : ''}`;
  const started = `${accepted.attached ? 'following' : 'started'} ${what}: operation ${accepted.operationId}`;
  if (values.detach) {
    if (values.json) console.log(JSON.stringify(accepted, null, 2));
    else console.log(started);
    if (api.mode === 'embedded') console.error(pausedMessage(accepted.operationId));
    return EXIT.ok;
  }
  if (!values.json) console.log(started);
  const outcome = await follow(api, accepted.operationId, {
    show: !values.json,
    cancelOnInterrupt: values.cancel,
    out: process.stdout,
    err: process.stderr,
  });
  if (outcome.kind === 'detached') {
    console.error(
      `\n${api.mode === 'embedded' ? pausedMessage(accepted.operationId) : detachedMessage(accepted.operationId, accepted.cluster)}`,
    );
    return EXIT_DETACHED;
  }
  const { operation } = outcome;
  const extra = operation.state === 'succeeded' && onSuccess ? await onSuccess(operation) : undefined;
  if (values.json) console.log(JSON.stringify(extra ? { ...operation, written: extra } : operation, null, 2));
  else printOutcome(what, operation, extra);
  return operation.state === 'succeeded' ? EXIT.ok : EXIT.failed;
}

function printOutcome(what: string, operation: OperationView, extra: string | undefined): void {
  if (operation.state === 'succeeded') {
    console.log(`${what} succeeded${operation.result?.summary ? `: ${operation.result.summary}` : ''}`);
    if (extra) console.log(extra);
    return;
  }
  const error = operation.error ?? '';
  console.error(`${what} ${operation.state}${error ? `: ${error}` : ''}`);
  // failed hosts the error does not already name (a step failure lists each of its hosts once)
  for (const [host, state] of Object.entries(operation.progress?.hosts ?? {}))
    if (state.state === 'failed' && !namesHost(error, host))
      console.error(`  ${host}: ${state.step}: ${state.error || 'failed'}`);
}

function namesHost(error: string, host: string): boolean {
  return ` ${error}`.includes(` ${host}: `);
}

/** A command with the common options plus `options`, at most `positionals` arguments, and --help. */
export function command(
  name: string,
  usage: string,
  options: ParseArgsConfig['options'],
  positionals: number,
  body: (values: Values, positionals: string[]) => Promise<number>,
): Command {
  return (argv) =>
    runCommand(name, usage, async () => {
      const parsed = parseCommand(argv, options, positionals);
      return parsed.values.help ? printUsage(usage) : body(parsed.values, parsed.positionals);
    });
}

/** POSTs to /v1/clusters/<cluster><suffix> and follows the operation it starts; `onSuccess` says what else it did. */
export async function startOperation(
  values: CommonValues,
  suffix: string,
  body?: object,
  onSuccess?: (client: ApiClient, cluster: string) => Promise<string | undefined>,
): Promise<number> {
  const name = await clusterName(values);
  const client = await api();
  const accepted = await client.json<Accepted>('POST', `${clusterPath(name)}${suffix}`, { body });
  return followStarted(client, accepted, values, onSuccess && (() => onSuccess(client, name)));
}

export const DRY_RUN_HELP = `      --dry-run       print the steps the operation would run, on which hosts, and change nothing`;

interface OperationPlan {
  operation: string;
  fromRevision?: number;
  toRevision?: number;
  certificates?: string[];
  steps: string[];
  refusal?: string;
}

/** The help lines every day-2 operation with a dry run ends with, and its --dry-run option. */
export const OPERATION_HELP = `${DRY_RUN_HELP}\n${FOLLOW_HELP}\n${COMMON_HELP}`;
export const DRY_RUN_OPTION = { 'dry-run': { type: 'boolean', default: false } } as const;

/** POSTs `body` to the cluster's `suffix` and follows the operation; with --dry-run to `suffix`/plan and prints it. */
export function startOrDryRun(values: Values, suffix: string, body: object): Promise<number> {
  return values['dry-run'] ? dryRunOperation(values, suffix, body) : startOperation(values, suffix, body);
}

/** Prints the API's dry-run of the operation at `suffix` (its steps, or why it would refuse); 1 when refused. */
export async function dryRunOperation(values: CommonValues, suffix: string, body?: object): Promise<number> {
  const name = await clusterName(values);
  const client = await api();
  const plan = await client.json<OperationPlan>('POST', `${clusterPath(name)}${suffix}/plan`, { body });
  if (values.json) console.log(JSON.stringify(plan, null, 2));
  else console.log(renderOperationPlan(name, plan));
  return plan.refusal ? EXIT.failed : EXIT.ok;
}

function renderOperationPlan(cluster: string, plan: OperationPlan): string {
  const to = plan.toRevision === undefined ? '' : ` to revision ${plan.toRevision}`;
  const out = [`${plan.operation} of ${cluster} (applied revision ${plan.fromRevision ?? 'none'})${to}`];
  if (plan.certificates) out.push(`Re-issued: ${plan.certificates.join(', ') || 'nothing'}`);
  if (plan.refusal) out.push(`Refused: ${plan.refusal}`);
  else out.push('Steps:', ...plan.steps.map((step, i) => `  ${i + 1}. ${step}`));
  return out.join('\n');
}

/** Prints the usage; exit code 0. */
export function printUsage(usage: string): number {
  console.log(usage);
  return EXIT.ok;
}

/** A positive integer option, or undefined when absent. */
export function positiveInt(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${option} needs a positive integer (got "${value}")`);
  return n;
}

/** In embedded mode the operation runs only while a zke process runs the worker. */
function pausedMessage(operationId: string): string {
  return `embedded mode: the operation pauses as zke exits; it goes on (the same run, from where it stopped) while zke runs here again: zke operations follow ${operationId}, or zke up with the same file, or npm start`;
}

let embedded: Embedded | undefined;

/**
 * The API to use, saying which on stderr: ZKE_API when set; else the default address when an API answers
 * there; else embedded mode (this process runs Temporal, a worker and the API until the command ends).
 */
export async function api(): Promise<ApiClient> {
  const client = ApiClient.fromEnv();
  if (process.env.ZKE_API || (await client.reachable())) {
    console.error(`zke: using the zke API at ${client.base}`);
    return client;
  }
  console.error(`zke: no zke API at ${client.base}: embedded mode, starting Temporal and a worker here…`);
  const { startEmbedded } = await import('../embedded.ts');
  embedded = await startEmbedded();
  console.error(`zke: embedded mode: ${embedded.description}`);
  return embedded.client;
}

/** The running operation `id` as something to follow. */
export async function attachTo(client: ApiClient, id: string): Promise<Accepted> {
  const op = await client.json<OperationView>('GET', `/v1/operations/${encodeURIComponent(id)}`);
  return { operationId: op.id, cluster: op.cluster, operation: op.operation, attached: true };
}

export const clusterPath = (name: string) => `/v1/clusters/${encodeURIComponent(name)}`;

/**
 * A 409 naming the running operation (an earlier command that was interrupted, or one still following it):
 * follow that run instead of failing, so running the command again resumes rather than starts over.
 */
export async function attachToRunning(client: ApiClient, error: unknown, note: string): Promise<Accepted> {
  const running = error instanceof ApiError && error.status === 409 ? error.problem.operationId : undefined;
  if (!running) throw error;
  console.error(`zke: the cluster is busy with operation ${running}; following it (${note})`);
  return attachTo(client, running);
}
