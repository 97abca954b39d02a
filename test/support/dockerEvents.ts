// Docker's own record of what happened to containers on a lab host: `docker events` streamed from before an
// operation until after it (a later `docker events --since` would replay only Docker's last 256 events).
import assert from 'node:assert/strict';
import type { ClusterPlan } from '../../model/plan/index.ts';
import { labSpawn } from './lab.ts';

export interface ContainerEvent {
  /** create, start, die, rename, destroy, ... */
  action: string;
  /** The container's name (after a rename: its new name). */
  name: string;
  /** A rename's former name. */
  oldName?: string;
}

export interface DockerEventStream {
  readonly events: ContainerEvent[];
  /** Resolves with the first event (seen or to come) that matches; rejects after timeoutMs. */
  waitFor(match: (e: ContainerEvent) => boolean, timeoutMs: number): Promise<ContainerEvent>;
  /** Ends the stream; rejects when `docker events` failed. */
  stop(): Promise<void>;
}

interface RawEvent {
  Action: string;
  Actor: { Attributes: { name?: string; oldName?: string } };
}

/** Streams host's container events; those between this call and the stream's start are replayed. */
export function streamDockerEvents(host: string): DockerEventStream {
  const since = (Date.now() / 1000 - 1).toFixed(3);
  const child = labSpawn(host, [
    'docker',
    'events',
    '--since',
    since,
    '--filter',
    'type=container',
    '--format',
    '{{json .}}',
  ]);
  const events: ContainerEvent[] = [];
  const waiters = new Set<() => void>();
  let partial = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const raw = JSON.parse(line) as RawEvent;
      const { name = '', oldName } = raw.Actor.Attributes;
      events.push({ action: raw.Action, name, oldName: oldName?.replace(/^\//, '') });
    }
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    events,
    waitFor(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${host}: no such docker event within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${host}: docker events ended early: ${stderr.trim()}`);
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

/** Every container the plan puts on each host was created exactly once, and none replaced (renamed to old-…). */
export function assertCreatedOnce(plan: ClusterPlan, streams: ReadonlyMap<string, DockerEventStream>): void {
  for (const h of plan.hosts) {
    const seen = streams.get(h.name)?.events ?? [];
    assert.deepEqual(
      seen.filter((e) => e.action === 'rename').map((e) => `${e.oldName} -> ${e.name}`),
      [],
      `${h.name}: no container replaced`,
    );
    const created = h.containers.map((c) => [
      c.name,
      seen.filter((e) => e.action === 'create' && e.name === c.name).length,
    ]);
    assert.deepEqual(
      Object.fromEntries(created),
      Object.fromEntries(h.containers.map((c) => [c.name, 1])),
      `${h.name}: every container created exactly once`,
    );
  }
}
