// One lab instance of the benchmark's own (lab/zlab.sh supports several side by side, docs/lab.md): pick an
// instance nobody uses (or $ZLAB_ID), start it with its `up` timed, always take it down again. Never touches
// an instance that is already up: it waits (30 s polls, up to 15 min) when none is free.
import { execFileSync } from 'node:child_process';
import { type LabHost, labInstance, useLabInstance } from '../test/support/lab.ts';
import { say, sleep, timed } from './stats.ts';

const POLL_MS = 30_000;
const MAX_WAIT_MS = 15 * 60_000;
/** Others mostly use instance 0 and small ids; start from the top. */
const CANDIDATES = [9, 8, 7, 6, 5, 4, 3, 2, 1];

function netnsInUse(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[0]!);
}

function isFree(id: number): boolean {
  const prefix = labInstance(id).namePrefix;
  const own = new RegExp(`^${prefix}zlab(net|\\d+)$`);
  return !labInstance(id).isUp() && !netnsInUse().some((name) => own.test(name));
}

/** The first free instance ($ZLAB_ID when set), waiting while none is. */
async function freeInstance(): Promise<number> {
  const wanted = process.env.ZLAB_ID === undefined ? CANDIDATES : [Number(process.env.ZLAB_ID)];
  const deadline = Date.now() + MAX_WAIT_MS;
  for (;;) {
    const id = wanted.find(isFree);
    if (id !== undefined) return id;
    if (Date.now() > deadline)
      throw new Error(`no free lab instance among ${wanted.join(', ')} after 15 min`);
    say(`lab instance(s) ${wanted.join(', ')} in use; retrying in 30 s`);
    await sleep(POLL_MS);
  }
}

export interface LabSession {
  id: number;
  hosts: LabHost[];
  /** Wall time of `zlab.sh up N`. */
  upMs: number;
  size: number;
  /** host:port of the instance's registry. */
  registry: string;
}

/** `zlab.sh up n`, which refuses (and leaves alone) an instance someone else started meanwhile. */
async function upOwnLab(id: number, n: number): Promise<LabHost[]> {
  const instance = useLabInstance(id);
  const result = await instance.run(['up', String(n)]);
  if (result.code !== 0)
    throw new Error(`ZLAB_ID=${id} lab/zlab.sh up ${n} exited ${result.code}: ${result.stderr.trim()}`);
  return instance.hosts();
}

/** The lab's base images (zke/tools, zke/etcd): built once into the shared registry storage, then cached. */
async function ensureImages(id: number): Promise<void> {
  await labInstance(id).images();
}

/** Attempts at `up`: on a loaded machine a host's dockerd can miss zlab.sh's readiness wait; zlab.sh then
 *  tears the partial lab down itself, and a second attempt usually comes up. */
const UP_ATTEMPTS = 3;

/** A free instance brought up with n hosts; its `up` timed (the successful attempt only). */
async function upFreeLab(n: number): Promise<{ id: number; hosts: LabHost[]; ms: number }> {
  for (let attempt = 1; ; attempt++) {
    const id = await freeInstance();
    say(`lab instance ${id}: up ${n}`);
    try {
      const up = await timed(() => upOwnLab(id, n));
      return { id, hosts: up.value, ms: up.ms };
    } catch (err) {
      if (attempt >= UP_ATTEMPTS) throw err;
      say(`lab instance ${id}: up failed (attempt ${attempt}): ${(err as Error).message.split('\n')[0]}`);
      // zlab.sh takes a partial lab down itself; remains of ours (never an instance someone else started
      // meanwhile, which `up` refuses with "already up") are removed here
      const ours = !/already up/.test((err as Error).message);
      if (ours && labInstance(id).isUp()) await labInstance(id).down();
      await sleep(10_000);
    }
  }
}

/** Runs body with a lab of n hosts that this process started; tears it down afterwards. */
export async function withLab<T>(n: number, body: (lab: LabSession) => Promise<T>): Promise<T> {
  const { id, hosts, ms } = await upFreeLab(n);
  say(`lab up ${n}: ${(ms / 1000).toFixed(1)} s`);
  try {
    await ensureImages(id);
    return await body({ id, hosts, upMs: ms, size: n, registry: labInstance(id).registry });
  } finally {
    say(`lab instance ${id}: down`);
    await labInstance(id).down();
  }
}
