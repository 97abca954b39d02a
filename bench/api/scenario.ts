// The API under read load: CLUSTERS clusters written straight into the store, then (once the API's files have
// settled) READERS readers of
// GET /v1/clusters and as many of GET /healthz, each reader with its own kept-alive connection (opened by a first,
// unmeasured burst), all sending at the same moment; ROUNDS such bursts, against the bench's Temporal dev server
// and worker (no operation runs). The same bursts against a bare node:http server answering a body of the
// listing's size (floorServer.ts) give the floor: what this machine and this client cost at that moment.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import { RACY_MS } from '../../common/stamp.ts';
import { FileClusterStore } from '../../common/store.ts';
import { stopProcess } from '../../scripts/devServer.ts';
import { startApi } from '../apiProcess.ts';
import { median, quantile, say, sleep, timed } from '../stats.ts';
import { spawnNode, startBenchTemporal } from '../temporal.ts';

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
  /** Bursts measured (absent in results from before rounds: one burst, a new connection per request). */
  rounds?: number;
  list: Latency;
  healthz: Latency;
  /** One GET /v1/clusters at a time (SEQUENTIAL of them): the floor a burst adds its queueing to. */
  listAlone: Latency;
  /** The same bursts against a bare node:http server (floorServer.ts). */
  floor?: { list: Latency; healthz: Latency };
}

const SEQUENTIAL = 20;
export const ROUNDS = 5;

function seedClusters(count: number): void {
  const store = new FileClusterStore();
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

type Sample = { ms: number; ok: boolean };

/** `count` concurrent GETs of url over the agent's kept-alive connections; each one's time and whether it was 2xx. */
function burst(agent: http.Agent, url: string, token: string, count: number): Promise<Sample[]> {
  const get = () =>
    timed(
      () =>
        new Promise<boolean>((resolve) => {
          const req = http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const ok = (res.statusCode ?? 0) < 300;
              if (!ok)
                say(
                  `api: ${url} answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`,
                );
              resolve(ok);
            });
          });
          req.on('error', (err) => {
            say(`api: ${url}: ${err.message}`);
            resolve(false);
          });
        }),
    ).then(({ value, ms }) => ({ ok: value, ms }));
  return Promise.all(Array.from({ length: count }, get));
}

/** ROUNDS bursts of READERS listings and READERS health probes at once, after one unmeasured burst. */
async function bursts(listUrl: string, healthUrl: string, token: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const both = () =>
    Promise.all([burst(agent, listUrl, token, READERS), burst(agent, healthUrl, token, READERS)]);
  try {
    await both(); // opens every reader's connection
    const list: Sample[] = [];
    const healthz: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const [l, h] = await both();
      list.push(...l);
      healthz.push(...h);
    }
    return { list: latency(list), healthz: latency(healthz) };
  } finally {
    agent.destroy();
  }
}

/** The bursts against floorServer.ts answering `bytes`-byte bodies. */
async function floorOf(bytes: number) {
  const { child, first } = await spawnNode('bench/api/floorServer.ts', { FLOOR_BYTES: String(bytes) });
  try {
    const url = `http://127.0.0.1:${first.port}`;
    return await bursts(`${url}/v1/clusters`, `${url}/healthz`, 'none');
  } finally {
    await stopProcess(child as ChildProcess);
  }
}

export async function runApiLoad(): Promise<ApiLoadResults> {
  seedClusters(CLUSTERS);
  const t = await startBenchTemporal();
  try {
    const api = await startApi(t.address, t.worker.taskQueue);
    try {
      // the API wrote its token file as it started: a file changed less than RACY_MS ago is read again on every
      // request (common/stamp.ts), which is the first seconds' cost, not the steady state measured here
      await sleep(RACY_MS);
      const agent = new http.Agent({ keepAlive: true });
      const listUrl = `${api.url}/v1/clusters`;
      const alone: Sample[] = [];
      for (let i = 0; i <= SEQUENTIAL; i++) alone.push(...(await burst(agent, listUrl, api.token, 1)));
      agent.destroy();
      const listingBytes = await fetch(listUrl, { headers: { authorization: `Bearer ${api.token}` } })
        .then((res) => res.arrayBuffer())
        .then((body) => body.byteLength);
      say(
        `api: ${ROUNDS} bursts of ${READERS} GET /v1/clusters and ${READERS} GET /healthz over ${CLUSTERS} clusters`,
      );
      const measured = await bursts(listUrl, `${api.url}/healthz`, api.token);
      say(`api: the same bursts against a bare HTTP server (${listingBytes}-byte bodies)`);
      const floor = await floorOf(listingBytes);
      const results: ApiLoadResults = {
        clusters: CLUSTERS,
        readers: READERS,
        rounds: ROUNDS,
        ...measured,
        listAlone: latency(alone.slice(1)), // the first one warms up
        floor,
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
