// What activities reach the outside world through: the cluster store, the clock (for the times they record)
// and SSH sessions to hosts. `createActivities` (activities/index.ts) runs every activity with the deps it was
// given; the worker gives the real ones, tests give fakes. Called outside that (a unit test calling a module's
// function), an activity uses the real ones.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ClusterStore } from '../common/store.ts';
import { openClusterStore } from '../common/stores.ts';
import { SshSession } from './ssh/session.ts';
import type { SshTarget } from './ssh/target.ts';

export interface ActivityDeps {
  store: ClusterStore;
  now(): Date;
  openSession(target: SshTarget, signal?: AbortSignal): Promise<SshSession>;
}

/** The worker's deps; the store opens on first use, so ZKE_HOME is read when an activity first runs. */
export function realDeps(): ActivityDeps {
  let store: ClusterStore | undefined;
  return {
    get store() {
      store ??= openClusterStore();
      return store;
    },
    now: () => new Date(),
    openSession: (target, signal) => SshSession.open(target, signal),
  };
}

const scope = new AsyncLocalStorage<ActivityDeps>();
let fallback: ActivityDeps | undefined;

/** The deps of the running activity. */
export function deps(): ActivityDeps {
  const current = scope.getStore();
  if (current) return current;
  fallback ??= realDeps();
  return fallback;
}

/** The current time from the activity's clock. */
export function now(): Date {
  return deps().now();
}

type AnyFunction = (...args: never[]) => unknown;

/** Each function of `fns`, run with `given` as its deps. */
export function withDeps<T extends Record<string, AnyFunction>>(given: ActivityDeps, fns: T): T {
  const bound = Object.entries(fns).map(([name, fn]) => [
    name,
    (...args: never[]) => scope.run(given, () => fn(...args)),
  ]);
  return Object.fromEntries(bound) as T;
}
