// Helpers for integration tests that need the multi-host lab (lab/zlab.sh, see docs/lab.md).
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LabHost {
  name: string;
  address: string;
  user: string;
  port: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const LAB_SCRIPT = fileURLToPath(new URL('../../lab/zlab.sh', import.meta.url));
export const LAB_ROOT = process.env.ZLAB_ROOT ?? '/srv/zlab';

/** Where the lab's ssh client material lives (valid while the lab is up). */
export const labSsh = {
  keyPath: path.join(LAB_ROOT, 'id_ed25519'),
  knownHostsPath: path.join(LAB_ROOT, 'known_hosts'),
  configPath: path.join(LAB_ROOT, 'ssh_config'),
};

// zlab.sh installs the lab's Debian packages itself when apt-get is there; these it cannot.
const BASE_TOOLS = ['bash', 'nsenter', 'unshare', 'setsid', 'flock'];
const LAB_TOOLS = ['ip', 'sshd', 'dockerd', 'docker-registry', 'jq', 'curl', 'ssh'];

function onPath(tool: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'];
  return dirs.some((dir) => {
    try {
      accessSync(path.join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function findSkipReason(): string | undefined {
  if (process.env.ZKE_SKIP_LAB) return 'ZKE_SKIP_LAB is set';
  if (process.platform !== 'linux') return 'the lab needs Linux namespaces';
  if (process.getuid?.() !== 0) return 'the lab needs root';
  const missing = BASE_TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `the lab needs ${missing.join(', ')}`;
  const uninstalled = LAB_TOOLS.filter((tool) => !onPath(tool));
  if (uninstalled.length > 0 && !onPath('apt-get')) {
    return `the lab needs ${uninstalled.join(', ')} (and there is no apt-get to install them)`;
  }
  return undefined;
}

/** Why lab tests must be skipped here, or undefined when the lab can run. */
export const LAB_SKIP_REASON = findSkipReason();
export const LAB_AVAILABLE = LAB_SKIP_REASON === undefined;

/** Runs a command to completion; never rejects for a non-zero exit. */
export function runCommand(command: string, args: string[], input?: string | Buffer): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
    child.stdin.end(input);
  });
}

/** Runs `lab/zlab.sh ARGS...`. */
export function lab(args: string[], input?: string | Buffer): Promise<ExecResult> {
  return runCommand('bash', [LAB_SCRIPT, ...args], input);
}

async function labOrThrow(args: string[]): Promise<ExecResult> {
  const result = await lab(args);
  if (result.code !== 0) {
    throw new Error(`lab/zlab.sh ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  }
  return result;
}

/** True when a lab (or the remains of one) exists on this machine. */
export function labIsUp(): boolean {
  return existsSync('/run/netns/zlabnet') || existsSync(path.join(LAB_ROOT, 'hosts'));
}

/** Starts a fresh lab of n hosts (tearing down a stale one first); resolves to its hosts. */
export async function labUp(n: number): Promise<LabHost[]> {
  if (labIsUp()) await labDown();
  await labOrThrow(['up', String(n)]);
  return labHosts();
}

/** Tears the lab down; rejects when anything of it is left. */
export async function labDown(options: { purge?: boolean } = {}): Promise<void> {
  await labOrThrow(options.purge ? ['down', '--purge'] : ['down']);
}

/** Adds the next host to the running lab; resolves to all hosts. */
export async function labAddHost(): Promise<LabHost[]> {
  await labOrThrow(['add-host']);
  return labHosts();
}

function isLabHost(value: unknown): value is LabHost {
  const host = value as LabHost;
  return (
    typeof host?.name === 'string' &&
    typeof host.address === 'string' &&
    typeof host.user === 'string' &&
    typeof host.port === 'number'
  );
}

/** The running lab's hosts, from $ZLAB_ROOT/hosts.json. */
export function labHosts(): LabHost[] {
  const hosts: unknown = JSON.parse(readFileSync(path.join(LAB_ROOT, 'hosts.json'), 'utf8'));
  if (!Array.isArray(hosts) || !hosts.every(isLabHost)) throw new Error('malformed hosts.json');
  return hosts;
}

/** Runs argv inside a lab host's namespaces, without ssh. */
export function labExec(host: string, argv: string[], input?: string | Buffer): Promise<ExecResult> {
  return lab(['exec', host, ...argv], input);
}

/** Builds the test images (zke/tools, zke/etcd, ...) and pushes them to the lab registry. */
export async function labImages(): Promise<void> {
  await labOrThrow(['images']);
}

/** Builds dir/Dockerfile as ref (e.g. zke/x:v1) on zlab1 and pushes it to the lab registry. */
export async function labBuildImage(
  ref: string,
  dir: string,
  options: { force?: boolean } = {},
): Promise<void> {
  await labOrThrow(['build-image', ref, dir, ...(options.force ? ['--force'] : [])]);
}

/** PIDs (root namespace) of every process the lab started. */
export async function labPids(): Promise<number[]> {
  const { stdout } = await labOrThrow(['pids']);
  return stdout.split('\n').filter(Boolean).map(Number);
}
