// Reading a workflow's history: size (events, bytes, payload bytes), the step boundaries the workflow
// records as ClusterPhase search-attribute upserts, and every activity attempt's execution interval.
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export interface ActivityRun {
  type: string;
  scheduledAt: number;
  startedAt: number;
  closedAt: number;
  attempt: number;
  ok: boolean;
}

export interface Mark {
  name: string;
  at: number;
}

export interface HistoryFacts {
  events: number;
  bytes: number;
  payloadBytes: number;
  startedAt: number;
  closedAt: number;
  /** ClusterPhase values in order: each step's start (and the final phase). */
  phases: Mark[];
  activities: ActivityRun[];
}

function ms(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(String(ts?.seconds ?? 0)) * 1000 + (ts?.nanos ?? 0) / 1e6;
}

/** Sum of payload data sizes anywhere in the event (inputs, results, failures, memo, search attributes). */
function payloadBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return 0;
  const record = value as Record<string, unknown>;
  if (record.data instanceof Uint8Array && 'metadata' in record) return record.data.length;
  return Object.values(record).reduce<number>((sum, v) => sum + payloadBytes(v), 0);
}

function phaseOf(event: HistoryEvent): string | undefined {
  const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
  const data = fields?.ClusterPhase?.data;
  if (!data) return undefined;
  const value: unknown = JSON.parse(Buffer.from(data).toString());
  return Array.isArray(value) ? String(value[0]) : String(value);
}

function closedRef(e: HistoryEvent): { id: number; ok: boolean } | undefined {
  const done = e.activityTaskCompletedEventAttributes;
  const bad = e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
  const cancelled = e.activityTaskCanceledEventAttributes;
  if (done) return { id: Number(done.scheduledEventId), ok: true };
  const other = bad ?? cancelled;
  return other ? { id: Number(other.scheduledEventId), ok: false } : undefined;
}

function activityRuns(events: HistoryEvent[]): ActivityRun[] {
  const scheduled = new Map<number, { type: string; at: number }>();
  const started = new Map<number, { at: number; attempt: number }>();
  const runs: ActivityRun[] = [];
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(Number(e.eventId), { type: s.activityType?.name ?? '?', at: ms(e.eventTime) });
    const st = e.activityTaskStartedEventAttributes;
    if (st) started.set(Number(st.scheduledEventId), { at: ms(e.eventTime), attempt: st.attempt ?? 1 });
    const closed = closedRef(e);
    const sched = closed && scheduled.get(closed.id);
    if (!closed || !sched) continue;
    const start = started.get(closed.id) ?? { at: ms(e.eventTime), attempt: 0 };
    runs.push({
      type: sched.type,
      scheduledAt: sched.at,
      startedAt: start.at,
      closedAt: ms(e.eventTime),
      attempt: start.attempt,
      ok: closed.ok,
    });
  }
  return runs;
}

export function analyzeHistory(history: History): HistoryFacts {
  const events = history.events ?? [];
  const phases = events.flatMap((e) => {
    const name =
      e.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES ? phaseOf(e) : undefined;
    return name ? [{ name, at: ms(e.eventTime) }] : [];
  });
  return {
    events: events.length,
    bytes: temporal.api.history.v1.History.encode(history).finish().length,
    payloadBytes: events.reduce((sum, e) => sum + payloadBytes(e), 0),
    startedAt: ms(events[0]?.eventTime),
    closedAt: ms(events.at(-1)?.eventTime),
    phases,
    activities: activityRuns(events),
  };
}

export async function historyOf(handle: WorkflowHandle): Promise<HistoryFacts> {
  return analyzeHistory(await handle.fetchHistory());
}
