// Recurring operations as Temporal Schedules: certificate rotation and etcd snapshots. Each fires the
// `scheduledOperation` workflow, which takes the cluster lock like any other operation.
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
} from '@temporalio/client';
import type { z } from 'zod';
import { type ScheduleKind as Kind, SCHEDULE_KINDS, scheduleId } from '../../common/schedules.ts';
import { conflict, notFound } from '../problem.ts';
import type { Schedule, ScheduleCreate, SchedulePatch } from '../schemas.ts';

type ScheduleView = z.infer<typeof Schedule>;

/** How long a PATCH waits for Temporal to show the pause it asked for: 50 × 100 ms. */
const pauseNote = (paused: boolean) => `${paused ? 'paused' : 'unpaused'} through the zke API`;
const SETTLE_TRIES = 50;
const SETTLE_PAUSE_MS = 100;

const OPERATION: Record<Kind, 'rotate-certificates' | 'snapshot'> = {
  rotation: 'rotate-certificates',
  snapshot: 'snapshot',
};

export class Schedules {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async create(cluster: string, kind: Kind, options: z.infer<typeof ScheduleCreate>): Promise<ScheduleView> {
    const id = scheduleId(cluster, kind);
    try {
      await this.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: options.interval }] },
        action: {
          type: 'startWorkflow',
          workflowType: 'scheduledOperation',
          args: [{ cluster, operation: OPERATION[kind] }],
          taskQueue: this.taskQueue,
          workflowId: id,
        },
        policies: { overlap: 'SKIP' },
        state: { paused: options.paused ?? false, note: `zke ${kind} schedule for cluster ${cluster}` },
      });
    } catch (error) {
      if (error instanceof ScheduleAlreadyRunning)
        throw conflict(`cluster ${cluster} already has a ${kind} schedule; change it with PATCH`);
      throw error;
    }
    return this.get(cluster, kind);
  }

  async get(cluster: string, kind: Kind): Promise<ScheduleView> {
    const view = await this.find(cluster, kind);
    if (!view) throw notFound(`cluster ${cluster} has no ${kind} schedule`);
    return view;
  }

  async list(cluster: string): Promise<ScheduleView[]> {
    const views = await Promise.all(SCHEDULE_KINDS.map((kind) => this.find(cluster, kind)));
    return views.filter((v): v is ScheduleView => v !== undefined);
  }

  async patch(cluster: string, kind: Kind, change: z.infer<typeof SchedulePatch>): Promise<ScheduleView> {
    const handle = this.handle(cluster, kind);
    await this.get(cluster, kind);
    if (change.interval) {
      // one update carries the pause too: Temporal applies a separate pause after it, and a describe between
      // the two showed the new interval unpaused (a CI run under load)
      const every = change.interval;
      const { paused } = change;
      await handle.update((previous) => ({
        ...previous,
        spec: { intervals: [{ every }] },
        state: paused === undefined ? previous.state : { ...previous.state, paused, note: pauseNote(paused) },
      }));
    } else if (change.paused !== undefined) {
      await (change.paused ? handle.pause(pauseNote(true)) : handle.unpause(pauseNote(false)));
    }
    return this.settled(cluster, kind, change.paused);
  }

  /**
   * The schedule once it shows the pause asked for: Temporal applies an update and a pause to the schedule in
   * turn, and a describe between them showed the interval changed but not yet the pause (a CI run under load).
   */
  private async settled(cluster: string, kind: Kind, paused: boolean | undefined): Promise<ScheduleView> {
    for (let tries = 1; ; tries++) {
      const view = await this.get(cluster, kind);
      if (paused === undefined || view.paused === paused || tries === SETTLE_TRIES) return view;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS));
    }
  }

  async remove(cluster: string, kind: Kind): Promise<void> {
    await this.get(cluster, kind);
    await this.handle(cluster, kind).delete();
  }

  private handle(cluster: string, kind: Kind): ScheduleHandle {
    return this.client.schedule.getHandle(scheduleId(cluster, kind));
  }

  private async find(cluster: string, kind: Kind): Promise<ScheduleView | undefined> {
    try {
      return toView(kind, this.handle(cluster, kind).scheduleId, await this.handle(cluster, kind).describe());
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) return undefined;
      throw error;
    }
  }
}

function toView(kind: Kind, id: string, desc: ScheduleDescription): ScheduleView {
  return {
    kind,
    scheduleId: id,
    interval: formatInterval(desc.spec.intervals?.[0]?.every ?? 0),
    paused: desc.state.paused,
    nextRunAt: desc.info.nextActionTimes[0]?.toISOString(),
    lastRunAt: desc.info.recentActions.at(-1)?.takenAt.toISOString(),
  };
}

/** Milliseconds back to the largest whole unit: 43200000 → "12h". */
export function formatInterval(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  const [unit, size] = units.find(([, size]) => ms % size === 0 && ms >= size) ?? ['s', 1000];
  return `${ms / size}${unit}`;
}
