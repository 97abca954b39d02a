// The same fan-out job done three ways: zke (bench workflow on the bench worker), Ansible (forks = N) and a
// plain sequential ssh/scp loop. Each returns its wall time; zke also its workflow history.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint } from '../../activities/ssh/session.ts';
import type { SshTarget } from '../../activities/ssh/target.ts';
import type { PlannedContainer } from '../../model/plan/types.ts';
import { type LabHost, labSsh } from '../../test/support/lab.ts';
import { type HistoryFacts, historyOf } from '../history.ts';
import { runToolOrThrow } from '../proc.ts';
import type { BenchTemporal } from '../temporal.ts';
import type { FanOutInput } from '../workflows.ts';
import { containerName, IMAGE, remoteDir } from './hosts.ts';

export const TOOLS = ['zke', 'ansible', 'ssh'] as const;
export type Tool = (typeof TOOLS)[number];

export interface JobContext {
  temporal: BenchTemporal;
  hosts: readonly LabHost[];
  stageDir: string;
  /** Directory for Ansible's inventory and temporary files. */
  workDir: string;
  /** bin directory of the venv with ansible-core. */
  pythonBin: string;
}

export interface ToolResult {
  ms: number;
  history?: HistoryFacts;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** The product's default max_parallel_hosts. */
const MAX_PARALLEL_HOSTS = 50;

/** Host key fingerprints from the lab's known_hosts, so zke verifies keys as ssh and Ansible do. */
function knownFingerprints(): Map<string, string> {
  const lines = fs.readFileSync(labSsh.knownHostsPath, 'utf8').split('\n').filter(Boolean);
  return new Map(
    lines.flatMap((line) => {
      const [names, , key] = line.split(' ');
      const print = fingerprint(Buffer.from(key!, 'base64'));
      return names!.split(',').map((name) => [name, print] as const);
    }),
  );
}

function benchContainer(gen: number): PlannedContainer {
  return {
    name: containerName('zke'),
    image: IMAGE,
    // the same container as bench/fanout/container.sh starts
    command: ['sh', '-c', `trap 'exit 0' TERM; sleep ${3600 + gen} & wait`],
    env: [],
    binds: [`${remoteDir('zke')}/ssl:/etc/kubernetes/ssl:ro`],
    networkMode: 'host',
    pidMode: '',
    privileged: false,
    restartPolicy: 'unless-stopped',
    labels: { 'io.zke.bench': 'zke', 'io.zke.bench.gen': String(gen) },
  };
}

async function runZke(ctx: JobContext, gen: number): Promise<ToolResult> {
  const keys = knownFingerprints();
  const input: FanOutInput = {
    hosts: ctx.hosts.map((h) => {
      const target: SshTarget = {
        host: h.name,
        address: h.address,
        port: h.port,
        user: h.user,
        keyPath: labSsh.keyPath,
        hostKey: keys.get(h.address),
      };
      return { target, localDir: path.join(ctx.stageDir, h.name, 'ssl') };
    }),
    remoteDir: `${remoteDir('zke')}/ssl`,
    container: benchContainer(gen),
    limit: Math.min(ctx.hosts.length, MAX_PARALLEL_HOSTS),
  };
  const start = performance.now();
  const handle = await ctx.temporal.client.workflow.start('fanOutJob', {
    taskQueue: ctx.temporal.worker.taskQueue,
    workflowId: `bench-fanout-${randomUUID()}`,
    args: [input],
  });
  await handle.result();
  const ms = performance.now() - start;
  return { ms, history: await historyOf(handle) };
}

function inventory(ctx: JobContext): string {
  const file = path.join(ctx.workDir, `inventory-${ctx.hosts.length}.ini`);
  const lines = [
    '[lab]',
    ...ctx.hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`),
    '[lab:vars]',
    'ansible_user=root',
    `ansible_ssh_private_key_file=${labSsh.keyPath}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${labSsh.knownHostsPath} -o StrictHostKeyChecking=yes'`,
    'ansible_python_interpreter=/usr/bin/python3',
  ];
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function runAnsible(ctx: JobContext, gen: number): Promise<ToolResult> {
  const args = ['-i', inventory(ctx), '-f', String(ctx.hosts.length)];
  args.push('-e', `stage_dir=${ctx.stageDir}`, '-e', `gen=${gen}`, path.join(here, 'playbook.yml'));
  const env = {
    ANSIBLE_HOME: path.join(ctx.workDir, 'home'),
    ANSIBLE_LOCAL_TEMP: path.join(ctx.workDir, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: path.join(ctx.workDir, 'cp'),
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_NOCOLOR: '1',
  };
  const run = await runToolOrThrow(path.join(ctx.pythonBin, 'ansible-playbook'), args, env);
  return { ms: run.ms };
}

async function runSshLoop(ctx: JobContext, gen: number): Promise<ToolResult> {
  const hosts = ctx.hosts.map((h) => `${h.name}=${h.address}`);
  const args = [
    path.join(here, 'ssh-loop.sh'),
    ctx.stageDir,
    String(gen),
    labSsh.keyPath,
    labSsh.knownHostsPath,
  ];
  const run = await runToolOrThrow('bash', [...args, ...hosts]);
  return { ms: run.ms };
}

export function runJob(tool: Tool, ctx: JobContext, gen: number): Promise<ToolResult> {
  if (tool === 'zke') return runZke(ctx, gen);
  if (tool === 'ansible') return runAnsible(ctx, gen);
  return runSshLoop(ctx, gen);
}
