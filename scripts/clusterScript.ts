// scripts/cluster.sh for topology tests and benchmarks: a Temporal cluster on PostgreSQL in a state directory of
// the caller's own.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICES = ['postgres', 'history', 'matching', 'frontend', 'worker', 'ui'];

export interface ClusterScript {
  /** Not under a 0700 temp dir: when run as root, PostgreSQL runs as its own user and must reach its data. */
  state: string;
  /** Runs `scripts/cluster.sh verb`; its output, or throws unless it exits 0 (`status` may exit 1). */
  run(verb: string): string;
  pidOf(service: string): number;
  /** `up`, then TEMPORAL_ADDRESS and the ZKE_TEMPORAL_TLS_* files set in this process's environment. */
  up(): string;
}

export function clusterScript(
  state = path.join(os.tmpdir(), `zke-topology-${randomUUID().slice(0, 8)}`),
): ClusterScript {
  const run = (verb: string) => {
    const result = spawnSync('bash', [fileURLToPath(new URL('./cluster.sh', import.meta.url)), verb], {
      env: { ...process.env, ZKE_TEMPORAL_CLUSTER_DIR: state },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (result.status !== 0 && verb !== 'status')
      throw new Error(`cluster.sh ${verb} exited ${result.status}`);
    return result.stdout.trim();
  };
  return {
    state,
    run,
    pidOf(service) {
      const file = path.join(state, 'pids', `${service}.pid`);
      return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0;
    },
    up() {
      process.env.ZKE_TEST_TEMPORAL = '127.0.0.1:1'; // if `up` fails: never a dev server in the cluster's place
      const address = run('up');
      process.env.ZKE_TEST_TEMPORAL = address;
      for (const [, key, value] of run('env').matchAll(/(\w+)=(\S+)/g)) process.env[key] = value;
      return address;
    },
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}
