// Helpers for integration tests that need the multi-host lab (lab/zlab.sh, see docs/lab.md).
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

export interface LabSshPaths {
  keyPath: string;
  knownHostsPath: string;
  configPath: string;
}

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
export function runCommand(
  command: string,
  args: string[],
  input?: string | Buffer,
  env?: NodeJS.ProcessEnv,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
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

function isLabHost(value: unknown): value is LabHost {
  const host = value as LabHost;
  return (
    typeof host?.name === 'string' &&
    typeof host.address === 'string' &&
    typeof host.user === 'string' &&
    typeof host.port === 'number'
  );
}

/**
 * One lab instance: `lab/zlab.sh` with ZLAB_ID=id (0..9). Instances coexist on the machine, each
 * with its own network 10.77.<id>.0/24, state dir, namespaces, registry and lock (docs/lab.md);
 * the methods only ever look at or change this instance.
 */
export class LabInstance {
  /** $ZLAB_ROOT: /srv/zlab for instance 0, /srv/zlab-<id> otherwise. */
  readonly root: string;
  /** The first three octets of the lab network, e.g. 10.77.3. */
  readonly network: string;
  /** host:port of the instance's registry. */
  readonly registry: string;
  /** Prefix of the instance's netns and link names ('' for instance 0, 'zl3-' for 3). */
  readonly namePrefix: string;
  /** host:port of the instance's password registry: the same images, read-only, for user `puller` only. */
  readonly passwordRegistry: string;
  /** Where the lab's ssh client material lives (valid while the lab is up). */
  readonly ssh: LabSshPaths;

  constructor(
    readonly id: number,
    root?: string,
  ) {
    if (!Number.isInteger(id) || id < 0 || id > 9) throw new Error(`lab instance id must be 0..9, got ${id}`);
    this.root = root ?? (id === 0 ? '/srv/zlab' : `/srv/zlab-${id}`);
    this.network = `10.77.${id}`;
    this.registry = `${this.network}.1:5000`;
    this.passwordRegistry = `${this.network}.1:5001`;
    this.namePrefix = id === 0 ? '' : `zl${id}-`;
    this.ssh = {
      keyPath: path.join(this.root, 'id_ed25519'),
      knownHostsPath: path.join(this.root, 'known_hosts'),
      configPath: path.join(this.root, 'ssh_config'),
    };
  }

  /** The password registry's password (lab/registry.sh makes one per instance; valid while the lab is up). */
  passwordRegistryPassword(): string {
    return readFileSync(path.join(this.root, 'registry-auth.password'), 'utf8').trim();
  }

  /** The netns holding the instance's bridge. */
  get bridgeNetns(): string {
    return `${this.namePrefix}zlabnet`;
  }

  /** The root namespace's link into the lab (it carries <network>.1). */
  get rootLink(): string {
    return `${this.namePrefix}zlab0`;
  }

  /** Runs `lab/zlab.sh ARGS...` for this instance. */
  run(args: string[], input?: string | Buffer): Promise<ExecResult> {
    const env = { ...process.env, ZLAB_ID: String(this.id), ZLAB_ROOT: this.root };
    return runCommand('bash', [LAB_SCRIPT, ...args], input, env);
  }

  /** Starts `lab/zlab.sh ARGS...` in its own process group (end it with process.kill(-pid)); no stdin. */
  spawn(args: string[]): ChildProcessWithoutNullStreams {
    const env = { ...process.env, ZLAB_ID: String(this.id), ZLAB_ROOT: this.root };
    const child = spawn('bash', [LAB_SCRIPT, ...args], { stdio: 'pipe', env, detached: true });
    child.stdin.end();
    return child;
  }

  private async runOrThrow(args: string[]): Promise<ExecResult> {
    const result = await this.run(args);
    if (result.code !== 0) {
      const command = `ZLAB_ID=${this.id} lab/zlab.sh ${args.join(' ')}`;
      throw new Error(`${command} exited ${result.code}: ${result.stderr.trim()}`);
    }
    return result;
  }

  /** True when this instance (or the remains of it) exists. */
  isUp(): boolean {
    return existsSync(`/run/netns/${this.bridgeNetns}`) || existsSync(path.join(this.root, 'hosts'));
  }

  /** Starts this instance fresh with n hosts (tearing down a stale one first); resolves to its hosts. */
  async up(n: number): Promise<LabHost[]> {
    if (this.isUp()) await this.down();
    try {
      await this.runOrThrow(['up', String(n)]);
    } catch (error) {
      // a failed up tears its partial lab down; one more try, saying why the first failed
      console.error(`lab ${this.id}: up ${n} failed, trying once more: ${(error as Error).message}`);
      if (this.isUp()) await this.down();
      await this.runOrThrow(['up', String(n)]);
    }
    return this.hosts();
  }

  /** Tears this instance down; rejects when anything of it is left. */
  async down(options: { purge?: boolean } = {}): Promise<void> {
    await this.runOrThrow(options.purge ? ['down', '--purge'] : ['down']);
  }

  /** Adds the next host; resolves to all hosts. */
  async addHost(): Promise<LabHost[]> {
    await this.runOrThrow(['add-host']);
    return this.hosts();
  }

  /** The hosts, from $ZLAB_ROOT/hosts.json. */
  hosts(): LabHost[] {
    const hosts: unknown = JSON.parse(readFileSync(path.join(this.root, 'hosts.json'), 'utf8'));
    if (!Array.isArray(hosts) || !hosts.every(isLabHost)) throw new Error('malformed hosts.json');
    return hosts;
  }

  /** Runs argv inside a host's namespaces, without ssh. */
  exec(host: string, argv: string[], input?: string | Buffer): Promise<ExecResult> {
    return this.run(['exec', host, ...argv], input);
  }

  /** Builds the test images (zke/tools, zke/etcd, ...) and pushes them to the registry. */
  async images(): Promise<void> {
    await this.runOrThrow(['images']);
  }

  /** Builds dir/Dockerfile as ref (e.g. zke/x:v1) on zlab1 and pushes it to the registry. */
  async buildImage(ref: string, dir: string, options: { force?: boolean } = {}): Promise<void> {
    await this.runOrThrow(['build-image', ref, dir, ...(options.force ? ['--force'] : [])]);
  }

  /** A DOCKER_HOST through which the docker CLI here uses a host's dockerd (lab/zlab.sh docker-host). */
  async dockerHost(host: string): Promise<string> {
    return (await this.runOrThrow(['docker-host', host])).stdout.trim();
  }

  /** PIDs (root namespace) of every process this instance started. */
  async pids(): Promise<number[]> {
    const { stdout } = await this.runOrThrow(['pids']);
    return stdout.split('\n').filter(Boolean).map(Number);
  }

  /** The hosts' container cgroup branches (lab/common.sh host_cgroup), in every controller. */
  cgroups(): string[] {
    const own = new RegExp(`^${this.namePrefix}zlab-zlab\\d+$`);
    const base = '/sys/fs/cgroup';
    const children = (dir: string) =>
      existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir) : [];
    return children(base).flatMap((c) =>
      children(`${base}/${c}`)
        .filter((n) => own.test(n))
        .map((n) => `${base}/${c}/${n}`),
    );
  }

  /**
   * What of this instance is on the machine, seen without zlab.sh: its netns, cgroups, root link, mounts,
   * state dir and processes whose command line or environment names its state dir. [] after down.
   */
  remains(): string[] {
    const ownNetns = new RegExp(`^${this.namePrefix}zlab(net|\\d+)$`);
    const netns = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => ownNetns.test(n)) : [];
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4] ?? '')
      .filter(
        (point) =>
          point === this.root ||
          point.startsWith(`${this.root}/`) ||
          (point.startsWith('/run/netns/') && ownNetns.test(point.slice('/run/netns/'.length))),
      );
    return [
      ...netns.map((name) => `netns ${name}`),
      ...this.cgroups().map((dir) => `cgroup ${dir}`),
      ...(existsSync(`/sys/class/net/${this.rootLink}`) ? [`link ${this.rootLink}`] : []),
      ...mounts.map((point) => `mount ${point}`),
      ...(existsSync(this.root) ? [`dir ${this.root}`] : []),
      ...processesNaming(this.root).map((pid) => `process ${pid}`),
    ];
  }
}

/** Start time of a live process (tells it from a later one with the same PID); undefined when it is
 * gone or a zombie (dead, waiting for the machine's PID 1 to reap it). */
export function processStart(pid: number): string | undefined {
  const stat = readProc(String(pid), 'stat');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return stat === '' || fields[0] === 'Z' ? undefined : fields[19];
}

/** PID → start time, to check later which of these processes still run. */
export type ProcessSnapshot = Map<number, string | undefined>;

export function processSnapshot(pids: number[]): ProcessSnapshot {
  return new Map(pids.map((pid) => [pid, processStart(pid)]));
}

/** The processes of the snapshot that still run (the same processes, not reused PIDs). */
export function stillRunning(snapshot: ProcessSnapshot): number[] {
  return [...snapshot]
    .filter(([pid, start]) => start !== undefined && processStart(pid) === start)
    .map(([pid]) => pid);
}

function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

// this process and its ancestors (a test runner started with ZLAB_ROOT=... names the root too)
function selfAndAncestors(): Set<string> {
  const chain = new Set<string>();
  for (let pid = String(process.pid); pid !== '0' && !chain.has(pid); ) {
    chain.add(pid);
    const stat = readProc(pid, 'stat');
    pid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '0';
  }
  return chain;
}

// live processes whose argv mentions root/ or whose environment has ZLAB_ROOT=root
function processesNaming(root: string): number[] {
  const mine = selfAndAncestors();
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && !mine.has(entry))
    .filter(
      (pid) =>
        readProc(pid, 'cmdline').includes(`${root}/`) ||
        readProc(pid, 'environ').split('\0').includes(`ZLAB_ROOT=${root}`),
    )
    .map(Number);
}

/** The lab instance with this id (its default ZLAB_ROOT). */
export function labInstance(id: number): LabInstance {
  return new LabInstance(id);
}

// The instance the lab* functions below use: $ZLAB_ID (default 0), or the one useLabInstance chose.
let current = new LabInstance(Number(process.env.ZLAB_ID ?? 0), process.env.ZLAB_ROOT);

/** $ZLAB_ROOT of the current instance. */
export let LAB_ROOT = current.root;

/** The current instance's ssh client material (valid while the lab is up). */
export const labSsh: LabSshPaths = { ...current.ssh };

/** The instance the lab* functions use. */
export function currentLab(): LabInstance {
  return current;
}

/**
 * Makes the lab* functions (and LAB_ROOT, labSsh, child processes through process.env) use
 * instance id. Call it at the top of a test file, before labUp, to get a lab of one's own.
 */
export function useLabInstance(id: number): LabInstance {
  current = labInstance(id);
  process.env.ZLAB_ID = String(id);
  process.env.ZLAB_ROOT = current.root;
  LAB_ROOT = current.root;
  Object.assign(labSsh, current.ssh);
  return current;
}

/** Runs `lab/zlab.sh ARGS...` for the current instance. */
export function lab(args: string[], input?: string | Buffer): Promise<ExecResult> {
  return current.run(args, input);
}

/** True when the current lab instance (or the remains of it) exists. */
export function labIsUp(): boolean {
  return current.isUp();
}

/** Starts the current instance fresh with n hosts (tearing down a stale one of it first). */
export function labUp(n: number): Promise<LabHost[]> {
  return current.up(n);
}

/** Tears the current instance down; rejects when anything of it is left. */
export function labDown(options: { purge?: boolean } = {}): Promise<void> {
  return current.down(options);
}

/** Adds the next host to the current instance; resolves to all hosts. */
export function labAddHost(): Promise<LabHost[]> {
  return current.addHost();
}

/** The current instance's hosts, from $ZLAB_ROOT/hosts.json. */
export function labHosts(): LabHost[] {
  return current.hosts();
}

/** Runs argv inside a lab host's namespaces, without ssh. */
export function labExec(host: string, argv: string[], input?: string | Buffer): Promise<ExecResult> {
  return current.exec(host, argv, input);
}

/** Starts argv inside a lab host's namespaces and returns at once (see LabInstance.spawn). */
export function labSpawn(host: string, argv: string[]): ChildProcessWithoutNullStreams {
  return current.spawn(['exec', host, ...argv]);
}

/** Builds the test images (zke/tools, zke/etcd, ...) and pushes them to the lab registry. */
export function labImages(): Promise<void> {
  return current.images();
}

/** Builds dir/Dockerfile as ref (e.g. zke/x:v1) on zlab1 and pushes it to the lab registry. */
export function labBuildImage(ref: string, dir: string, options: { force?: boolean } = {}): Promise<void> {
  return current.buildImage(ref, dir, options);
}

/** A DOCKER_HOST for a host's dockerd (see LabInstance.dockerHost). */
export function labDockerHost(host: string): Promise<string> {
  return current.dockerHost(host);
}

/** PIDs (root namespace) of every process the current instance started. */
export function labPids(): Promise<number[]> {
  return current.pids();
}
