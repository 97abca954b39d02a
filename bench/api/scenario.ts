// The API under read load: CLUSTERS clusters written straight into the store, then READERS concurrent
// GET /v1/clusters and as many GET /healthz at the same moment, against the bench's Temporal dev server and
// worker (no operation runs). Reports latency quantiles per endpoint.
import { ClusterStore } from '../../common/store.ts';
import { startApi } from '../apiProcess.ts';
import { median, quantile, say, timed } from '../stats.ts';
import { startBenchTemporal } from '../temporal.ts';

export const CLUSTERS = 100;
export const READERS = 200;

export interface Latency {
  requests: number;
  failures: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ApiLoadResults {
  clusters: number;
  readers: number;
  list: Latency;
  healthz: Latency;
  /** One GET /v1/clusters at a time (SEQUENTIAL of them): the floor a burst adds its queueing to. */
  listAlone: Latency;
}

const SEQUENTIAL = 20;

function seedClusters(count: number): void {
  const store = new ClusterStore();
  for (let i = 0; i < count; i++) {
    const name = `bench-${i}`;
    store.write(name, 'revision/1', {
      number: 1,
      spec: {},
      createdAt: new Date().toISOString(),
      source: 'bench',
    });
    store.write(name, 'current', { revision: 1, phase: 'provisioned' });
  }
}

function latency(samples: { ms: number; ok: boolean }[]): Latency {
  const ms = samples.map((s) => s.ms);
  return {
    requests: samples.length,
    failures: samples.filter((s) => !s.ok).length,
    medianMs: median(ms),
    p95Ms: quantile(ms, 0.95),
    p99Ms: quantile(ms, 0.99),
  };
}

/** `count` concurrent GETs of url; each one's time and whether it answered 2xx. */
function burst(url: string, token: string, count: number) {
  const get = () =>
    timed(async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
      const body = (await res?.text()) ?? 'no answer';
      if (!res?.ok) say(`api: ${url} answered ${res?.status}: ${body.slice(0, 200)}`);
      return res?.ok ?? false;
    }).then(({ value, ms }) => ({ ok: value, ms }));
  return Promise.all(Array.from({ length: count }, get));
}

export async function runApiLoad(): Promise<ApiLoadResults> {
  seedClusters(CLUSTERS);
  const t = await startBenchTemporal();
  try {
    const api = await startApi(t.address, t.worker.taskQueue);
    try {
      await burst(`${api.url}/v1/clusters`, api.token, 1); // warm-up: connections, first imports
      const alone: { ms: number; ok: boolean }[] = [];
      for (let i = 0; i < SEQUENTIAL; i++)
        alone.push(...(await burst(`${api.url}/v1/clusters`, api.token, 1)));
      say(`api: ${READERS} concurrent GET /v1/clusters and /healthz over ${CLUSTERS} clusters`);
      const [list, healthz] = await Promise.all([
        burst(`${api.url}/v1/clusters`, api.token, READERS),
        burst(`${api.url}/healthz`, api.token, READERS),
      ]);
      const results = {
        clusters: CLUSTERS,
        readers: READERS,
        list: latency(list),
        healthz: latency(healthz),
        listAlone: latency(alone),
      };
      say(`api: ${JSON.stringify(results)}`);
      return results;
    } finally {
      await api.stop();
    }
  } finally {
    await t.close();
  }
}
