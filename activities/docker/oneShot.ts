// One-shot containers (etcd snapshot save/restore): create, run to completion within a deadline, return the
// log, remove. They carry the cluster label (so `remove` cleans leftovers) but not the managed label (so a
// rolling change never counts them as planned or unplanned services).
import { CLUSTER_LABEL } from '../../model/plan/index.ts';
import { waitFor } from '../wait.ts';
import type { DockerApi } from './api.ts';
import {
  containerLogTail,
  createContainer,
  ensureImage,
  removeContainer,
  startContainer,
} from './containers.ts';

export interface OneShot {
  name: string;
  cluster: string;
  image: string;
  command: string[];
  env: string[];
  binds: string[];
}

export async function runOneShot(
  docker: DockerApi,
  job: OneShot,
  note: (p: string) => void,
  timeoutMs = 600_000,
): Promise<string> {
  await removeContainer(docker, job.name); // a leftover of an interrupted attempt
  await ensureImage(docker, job.image, note);
  const id = await createContainer(docker, {
    ...job,
    labels: { [CLUSTER_LABEL]: job.cluster },
    networkMode: 'host',
    pidMode: '',
    privileged: false,
    restartPolicy: 'no',
  });
  await startContainer(docker, id);
  note(`${docker.host}: ${job.name} running`);
  const exitCode = await waitFor(
    async () => {
      const res = await docker.call<{ State: { Running: boolean; ExitCode: number } }>(
        'GET',
        `/containers/${id}/json`,
      );
      return res.body.State.Running ? undefined : res.body.State.ExitCode;
    },
    { what: `${docker.host}: ${job.name}`, timeoutMs, intervalMs: 1_000 },
  ).catch(async (err: Error) => {
    await removeContainer(docker, id);
    throw err;
  });
  const log = await containerLogTail(docker, id, 40);
  await removeContainer(docker, id);
  if (exitCode !== 0) throw new Error(`${docker.host}: ${job.name} exited with ${exitCode}: ${log}`);
  return log;
}
