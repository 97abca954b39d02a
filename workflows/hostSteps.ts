// Per-host steps inside a workflow: bounded fan-out, per-host progress, every failure collected and
// reported together (naming each host), permanent failures recognised.
import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  isCancellation,
} from '@temporalio/workflow';
import { mapBounded, rootMessage } from './concurrency.ts';
import type { Progress } from './progress.ts';

export interface HostFailure {
  host: string;
  error: string;
  permanent: boolean;
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
      const error = rootMessage(err as Error);
      progress.host(host, { state: 'failed', step, error });
      throw err;
    }
  });
  const cancelled = results.find((r) => !r.ok && isCancellation(r.error));
  if (cancelled && !cancelled.ok) throw cancelled.error; // a cancel is not a host failure
  return results.flatMap((r, i) =>
    r.ok ? [] : [{ host: hosts[i], error: rootMessage(r.error), permanent: isPermanent(r.error) }],
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

export function stepFailure(step: string, failures: HostFailure[]): ApplicationFailure {
  const list = failures.map((f) => `${f.host}: ${f.error}`).join('; ');
  return ApplicationFailure.create({
    type: 'StepFailed',
    message: `${step} failed on ${failures.length} host(s): ${list}`,
    nonRetryable: true,
    details: [failures],
  });
}

/** Per-call activity options that label the activity in the Temporal UI, e.g. "etcd plane · zlab1". */
export function onHost(step: string, host: string): ActivityOptions {
  return { summary: `${step} · ${host}` };
}
