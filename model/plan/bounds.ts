// Rolling-update bounds (pure): how many hosts may be unavailable at once.

/** `max_unavailable_*`: a count ("2") or a percentage of `total` ("10%"), rounded down, at least 1. */
export function maxUnavailable(value: string, total: number): number {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  const n = percent ? Math.floor((total * Number(percent[1])) / 100) : Math.floor(Number(value));
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** The rolling windows of an upgrade: `max_unavailable_controlplane` of the controlplane hosts, `_worker` of the workers. */
export function rollingBounds(
  hosts: readonly { readonly roles: readonly string[] }[],
  strategy: { readonly maxUnavailableControlplane: string; readonly maxUnavailableWorker: string },
): { maxUnavailableControlplane: number; maxUnavailableWorker: number } {
  const count = (role: string) => hosts.filter((h) => h.roles.includes(role)).length;
  return {
    maxUnavailableControlplane: maxUnavailable(strategy.maxUnavailableControlplane, count('controlplane')),
    maxUnavailableWorker: maxUnavailable(strategy.maxUnavailableWorker, count('worker')),
  };
}
