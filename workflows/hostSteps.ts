// Per-host steps inside a workflow: bounded fan-out, per-host progress, every failure collected and
// reported together (naming each host), permanent failures recognised.
import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  isCancellation,
} from '@temporalio/workflow';
import { describeRun, type PlanStep } from '../model/plan/steps.ts';
import { mapBounded, rootMessage } from './concurrency.ts';
import type { Progress } from './progress.ts';

export interface HostFailure {
  host: string;
  error: string;
  permanent: boolean;
}

/** The failure's message without a leading "<host>: " (activities name their host; a host list names it once). */
export function hostError(host: string, err: Error): string {
  const message = rootMessage(err);
  return message.startsWith(`${host}: `) ? message.slice(host.length + 2) : message;
}

/** "n1: error; n2: error": every failed host named once (errors as `hostError` gives them). */
export function hostErrorList(failures: readonly { host: string; error: string }[]): string {
  return failures.map((f) => `${f.host}: ${f.error}`).join('; ');
}

export function isPermanent(err: Error): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/** Runs fn for every host (at most `limit` at once); returns the failures instead of throwing. */
export async function eachHost(
  progress: Progress,
  step: string,
  hosts: readonly string[],
  limit: number,
  fn: (host: string) => Promise<unknown>,
): Promise<HostFailure[]> {
  const results = await mapBounded(hosts, limit, async (host) => {
    progress.host(host, { state: 'running', step });
    try {
      const value = await fn(host);
      progress.host(host, { state: 'done', step });
      return value;
    } catch (err) {
      progress.host(host, { state: 'failed', step, error: hostError(host, err as Error) });
      throw err;
    }
  });
  const cancelled = results.find((r) => !r.ok && isCancellation(r.error));
  if (cancelled && !cancelled.ok) throw cancelled.error; // a cancel is not a host failure
  return results.flatMap((r, i) =>
    r.ok ? [] : [{ host: hosts[i], error: hostError(hosts[i], r.error), permanent: isPermanent(r.error) }],
  );
}

/** Like eachHost, but any failure fails the step with one message listing every failed host. */
export async function onEveryHost(
  progress: Progress,
  step: string,
  hosts: readonly string[],
  limit: number,
  fn: (host: string) => Promise<unknown>,
): Promise<void> {
  const failures = await eachHost(progress, step, hosts, limit, fn);
  if (failures.length) throw stepFailure(step, failures);
}

/** One failure naming every failed host once; `hint` (what the user can do) ends the message. */
export function stepFailure(step: string, failures: HostFailure[], hint?: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'StepFailed',
    message: `${step} failed on ${failures.length} host(s): ${hostErrorList(failures)}${hint ? ` (${hint})` : ''}`,
    nonRetryable: true,
    details: [failures],
  });
}

/** Per-call activity options that label the activity in the Temporal UI, e.g. "etcd plane · zlab1". */
export function onHost(step: string, host: string): ActivityOptions {
  return { summary: `${step} · ${host}` };
}

/** Runs fn on the step's hosts the way the step says: one at a time (stopping at a failure) or in parallel. */
export async function onStepHosts(
  p: Progress,
  step: PlanStep,
  hosts: readonly string[],
  fn: (host: string) => Promise<unknown>,
): Promise<void> {
  if (step.run.mode === 'parallel') return onEveryHost(p, step.name, hosts, step.run.limit, fn);
  if (step.run.mode !== 'one-at-a-time')
    throw new Error(`step ${step.name} runs ${describeRun(step.run)}, not on each host`);
  for (const host of hosts) await onEveryHost(p, step.name, [host], 1, fn);
}
