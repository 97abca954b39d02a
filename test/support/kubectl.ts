// kubectl for lab tests (the binary is LAB_KUBECTL in cluster.ts) on the admin kubeconfig zke wrote.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { store } from '../../activities/clusterState.ts';
import { tempDir } from './tempDir.ts';

const run = promisify(execFile);

/** Writes the admin kubeconfig from the cluster store to a temp file (as `zke up` writes kube_config_cluster.yml). */
export function adminKubeconfigFile(cluster: string): string {
  const kc = store().read<{ yaml: string }>(cluster, 'kubeconfig');
  if (!kc) throw new Error(`cluster ${cluster} has no admin kubeconfig`);
  const dir = tempDir('zke-kc');
  const file = path.join(dir, 'kube_config_cluster.yml');
  fs.writeFileSync(file, kc.yaml, { mode: 0o600 });
  return file;
}

export function kubectl(bin: string, kubeconfig: string) {
  return async (...args: string[]): Promise<string> => {
    const { stdout } = await run(bin, ['--kubeconfig', kubeconfig, '--request-timeout=30s', ...args], {
      maxBuffer: 16 << 20,
    });
    return stdout;
  };
}

/** Retries fn until it returns without throwing (bounded), for things that converge. */
export async function eventually<T>(what: string, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
  throw new Error(`${what}: not true after ${timeoutMs / 1000} s: ${(last as Error)?.message ?? last}`);
}

/** An HTTP GET from the client pod to TARGET ("host port") gets 200 OK; an empty reply (nc timed out) is retried. */
export async function answersFromClientPod(k: ReturnType<typeof kubectl>, target: string): Promise<void> {
  await eventually(`client → ${target}`, async () => {
    const page = await k(
      'exec',
      'client',
      '--',
      'sh',
      '-c',
      `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${target}`,
    );
    assert.match(page, /200 OK/);
  });
}
