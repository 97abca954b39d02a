// Health gates for containers that declare one: bounded, and on failure the message carries the
// container's last log lines (RKE's practice), so "not healthy" always says why.

import { CA_NAME } from '../model/pki/catalog.ts';
import type { PlannedContainer } from '../model/plan/types.ts';
import { containerLogTail, inspectContainer } from './docker/containers.ts';
import { dockerOf } from './hostSession.ts';
import { loadBundle } from './pki.ts';
import { httpGet, type TlsOptions } from './ssh/http.ts';
import type { SshSession } from './ssh/session.ts';
import { waitFor } from './wait.ts';

const HEALTH_TIMEOUT_MS = Number(process.env.ZKE_HEALTH_TIMEOUT_MS ?? 120_000);

function tlsFor(c: PlannedContainer, cluster: string): TlsOptions | undefined {
  const check = c.healthcheck!;
  if (check.kind === 'http') return undefined;
  if (check.port !== 6443) return { insecure: true };
  const bundle = loadBundle(cluster);
  return {
    ca: bundle[CA_NAME].certPem,
    cert: bundle['kube-admin'].certPem,
    key: bundle['kube-admin'].keyPem,
  };
}

export async function waitContainerHealthy(
  session: SshSession,
  c: PlannedContainer,
  cluster: string,
): Promise<void> {
  const check = c.healthcheck!;
  const docker = dockerOf(session);
  const tls = tlsFor(c, cluster);
  try {
    await waitFor(
      async () => {
        const state = await inspectContainer(docker, c.name);
        if (!state?.running || state.restarting)
          throw new Error(`container is ${state?.status ?? 'missing'}`);
        // etcd members only become healthy together (quorum): the plane's gate checks them after all start.
        if (check.kind === 'etcd') return true;
        const res = await httpGet(session, { host: '127.0.0.1', port: check.port, path: check.path, tls });
        if (res.status !== 200)
          throw new Error(`${check.path} answered ${res.status}: ${res.body.slice(0, 120)}`);
        return true;
      },
      { what: `${session.target.host}: ${c.name} health`, timeoutMs: HEALTH_TIMEOUT_MS },
    );
  } catch (err) {
    const tail = await containerLogTail(docker, c.name).catch(() => '');
    throw new Error(`${(err as Error).message}${tail ? `; last log lines: ${tail}` : ''}`);
  }
}
