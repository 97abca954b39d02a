// The gRPC status of a failed Temporal call: how the API tells "Temporal did not answer" from other errors.

export const DEADLINE_EXCEEDED = 4;
export const UNAVAILABLE = 14;

/** The gRPC status code of a failed Temporal call (the error or one of its causes), if it is one. */
export function temporalCode(err: unknown): number | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown; details?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (typeof e.code === 'number' && 'details' in e) return e.code;
  }
  return undefined;
}

/** True when Temporal missed the deadline or could not be reached. */
export function temporalUnanswered(err: unknown): boolean {
  const code = temporalCode(err);
  return code === DEADLINE_EXCEEDED || code === UNAVAILABLE;
}
