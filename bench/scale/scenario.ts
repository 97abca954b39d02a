// Scenario "scale" (with "footprint" and the history part of "engine"): provisions on 3..50 lab hosts, `runs`
// times each (`--large-runs` times from 25 hosts on); during the largest size, the worker's, the dev server's
// and the API's memory and CPU are watched.
import type { LabHost } from '../../test/support/lab.ts';
import { type ApiProcess, startApi } from '../apiProcess.ts';
import { type Footprint, watchProcess } from '../footprint.ts';
import { say } from '../stats.ts';
import type { BenchTemporal } from '../temporal.ts';
import { type ProvisionRun, provisionOnce, wipeHosts } from './provision.ts';

export interface ScaleResults {
  /** Sizes measured so far (results are saved after each size, so a run that dies keeps the sizes it finished). */
  sizes: number[];
  /** Sizes the run was asked for (absent in results saved by older runners). */
  requested?: number[];
  /** Runs per size, aligned with sizes (results saved before --large-runs applied here hold one number). */
  runs: number[] | number;
  provisions: ProvisionRun[];
  /** Absent until the largest size has finished. */
  footprint?: {
    size: number;
    provisions: number;
    worker: Footprint;
    temporalServer: Footprint;
    api: (Footprint & { requests: number; failures: number }) | { error: string };
  };
}

async function tryStartApi(t: BenchTemporal): Promise<ApiProcess | string> {
  try {
    return await startApi(t.address, t.worker.taskQueue);
  } catch (err) {
    say(`footprint: API not started: ${(err as Error).message}`);
    return (err as Error).message;
  }
}

async function measureSize(
  t: BenchTemporal,
  hosts: readonly LabHost[],
  runs: number,
): Promise<ProvisionRun[]> {
  const out: ProvisionRun[] = [];
  for (let run = 0; run < runs; run++) {
    const r = await provisionOnce(t, hosts, run);
    say(`scale n=${hosts.length} run ${run}: ${(r.wall.wallMs / 1000).toFixed(1)} s, ${r.outcome}`);
    out.push(r);
  }
  return out;
}

/** The largest size, with every process watched (the API polled as a UI would, every 500 ms). */
async function measureWithFootprint(t: BenchTemporal, hosts: readonly LabHost[], runs: number) {
  const api = await tryStartApi(t);
  try {
    const apiWatch = typeof api === 'string' ? undefined : watchProcess(api.pid);
    const poller = typeof api === 'string' ? undefined : api.poll('/v1/clusters', 500);
    const worker = watchProcess(t.worker.pid);
    const server = watchProcess(t.serverPid);
    const provisions = await measureSize(t, hosts, runs);
    const [requests, failures] = (await poller?.stop()) ?? [0, 0];
    const footprint: ScaleResults['footprint'] = {
      size: hosts.length,
      provisions: runs,
      worker: worker.stop(),
      temporalServer: server.stop(),
      api: typeof api === 'string' ? { error: api } : { ...apiWatch!.stop(), requests, failures },
    };
    return { provisions, footprint };
  } finally {
    if (typeof api !== 'string') await api.stop();
  }
}

export async function runScale(
  t: BenchTemporal,
  hosts: readonly LabHost[],
  sizes: number[],
  runsFor: (size: number) => number,
  onProgress: (partial: ScaleResults) => void = () => {},
): Promise<ScaleResults> {
  const sorted = [...sizes].sort((a, b) => a - b);
  const results: ScaleResults = { sizes: [], requested: sorted, runs: [], provisions: [] };
  const finished = (size: number, provisions: ProvisionRun[]) => {
    results.sizes.push(size);
    (results.runs as number[]).push(runsFor(size));
    results.provisions.push(...provisions);
    onProgress(results);
  };
  for (const size of sorted.slice(0, -1))
    finished(size, await measureSize(t, hosts.slice(0, size), runsFor(size)));
  const big = sorted.at(-1)!;
  const largest = await measureWithFootprint(t, hosts.slice(0, big), runsFor(big));
  results.footprint = largest.footprint;
  finished(big, largest.provisions);
  await wipeHosts(hosts.slice(0, big));
  return results;
}
