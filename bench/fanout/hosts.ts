// Lab-side helpers of the fan-out job (outside the timed part, through nsenter rather than ssh): pull the
// image, wipe the benchmark's state, and check that a tool really did the job on every host.
import { type LabHost, labExec } from '../../test/support/lab.ts';

export const IMAGE = 'zke/tools:v1';
export const remoteDir = (tool: string) => `/opt/zke-bench/${tool}`;
export const containerName = (tool: string) => `zke-bench-${tool}`;

async function onAll(hosts: readonly LabHost[], script: string): Promise<string[]> {
  return Promise.all(
    hosts.map(async (h) => {
      const r = await labExec(h.name, ['sh', '-c', script]);
      if (r.code !== 0) throw new Error(`${h.name}: ${script}: ${r.stderr.trim()}`);
      return r.stdout.trim();
    }),
  );
}

export async function pullImage(hosts: readonly LabHost[]): Promise<void> {
  await onAll(hosts, `docker pull -q ${IMAGE} >/dev/null`);
}

/** Removes every benchmark container and file (all tools) from the hosts. */
export async function wipe(hosts: readonly LabHost[]): Promise<void> {
  await onAll(
    hosts,
    'docker rm -f $(docker ps -aq --filter label=io.zke.bench) >/dev/null 2>&1; rm -rf /opt/zke-bench',
  );
}

/** Throws unless every host runs the tool's container at generation gen and holds all its files. */
export async function verify(
  hosts: readonly LabHost[],
  tool: string,
  gen: number,
  files: Record<string, number>,
): Promise<void> {
  const script = [
    `docker ps -q --filter label=io.zke.bench=${tool} --filter label=io.zke.bench.gen=${gen} | wc -l`,
    `find ${remoteDir(tool)}/ssl -type f | wc -l`,
  ].join('; ');
  const out = await onAll(hosts, script);
  const wrong = hosts.flatMap((h, i) => {
    const [containers, count] = out[i]!.split(/\s+/).map(Number);
    const ok = containers === 1 && count === files[h.name];
    return ok ? [] : [`${h.name}: ${containers} container(s), ${count}/${files[h.name]} files`];
  });
  if (wrong.length) throw new Error(`${tool} did not finish the job: ${wrong.join('; ')}`);
}
