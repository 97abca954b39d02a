// The Temporal Schedules zke keeps per cluster (recurring rotation and snapshots): their kinds and IDs, shared by
// the API (which creates them) and the remove activity (which deletes them with the cluster).

export const SCHEDULE_KINDS = ['rotation', 'snapshot'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export function scheduleId(cluster: string, kind: ScheduleKind): string {
  return `zke-schedule/${cluster}/${kind}`;
}
