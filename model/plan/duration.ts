// Go-style durations ("12h", "1h30m", "45s") to seconds.

const UNIT_SECONDS: Readonly<Record<string, number>> = { h: 3600, m: 60, s: 1 };

/** Seconds in a duration that validation accepted; 0 for anything else. */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)([hms])/g)) {
    total += Number(amount) * (UNIT_SECONDS[unit!] ?? 0);
  }
  return total;
}
