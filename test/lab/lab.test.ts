// The multi-host lab itself: isolated hosts with sshd and dockerd, a registry, a clean teardown.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe } from 'node:test';
import { labFault } from '../support/faults.ts';
import {
  currentLab,
  LAB_ROOT,
  LAB_SKIP_REASON,
  type LabHost,
  lab,
  labAddHost,
  labBuildImage,
  labDown,
  labExec,
  labHosts,
  labImages,
  labIsUp,
  labPids,
  labSsh,
  labUp,
  processSnapshot,
  runCommand,
  stillRunning,
} from '../support/lab.ts';
import { skipping } from '../support/skipping.ts';
import { tempDir } from '../support/tempDir.ts';

function ssh(host: LabHost, command: string, extraOptions: string[] = []) {
  return runCommand('ssh', [
    ...['-i', labSsh.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'],
    ...['-o', `UserKnownHostsFile=${labSsh.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes'],
    ...['-p', String(host.port), ...extraOptions, `${host.user}@${host.address}`, command],
  ]);
}

async function sshOk(host: LabHost, command: string): Promise<string> {
  const result = await ssh(host, command);
  assert.equal(result.code, 0, `ssh ${host.name} ${command}: ${result.stderr}`);
  return result.stdout.trim();
}

// the instance $ZLAB_ID (default 0); other instances on the machine are left alone
describe('multi-host lab', { timeout: 300_000 }, () => {
  const { it, before, after } = skipping(LAB_SKIP_REASON); // each test skips, counted
  const { network } = currentLab();
  let hosts: LabHost[] = [];
  const byName = (name: string) => hosts.find((host) => host.name === name)!;
  let stranger: ChildProcess | undefined; // a process of the machine's, not the lab's
  const branches = (host: string) =>
    currentLab()
      .cgroups()
      .filter((dir) => dir.endsWith(`zlab-${host}`));

  after(() => stranger?.kill('SIGKILL'));

  before(async () => {
    hosts = await labUp(3);
  });

  after(async () => {
    if (labIsUp()) await labDown();
  });

  it('describes three ssh hosts in hosts.json', () => {
    assert.deepEqual(labHosts(), [
      { name: 'zlab1', address: `${network}.11`, user: 'root', port: 22 },
      { name: 'zlab2', address: `${network}.12`, user: 'root', port: 22 },
      { name: 'zlab3', address: `${network}.13`, user: 'root', port: 22 },
    ]);
  });

  it('gives each host its own hostname, over ssh and without it', async () => {
    for (const host of hosts) {
      assert.equal(await sshOk(host, 'hostname'), host.name);
      const local = await labExec(host.name, ['hostname']);
      assert.equal(local.stdout.trim(), host.name);
    }
  });

  it('accepts the lab key with a known host key and refuses password logins', async () => {
    assert.equal(await sshOk(byName('zlab1'), 'id -un'), 'root');
    const password = await ssh(byName('zlab1'), 'true', [
      ...['-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive'],
    ]);
    assert.equal(password.code, 255);
    assert.match(password.stderr, /Permission denied \(publickey\)/);
  });

  it("raises the shared kernel's inotify limits enough for a kubelet per host", () => {
    const limit = (name: string) => Number(readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8'));
    assert.ok(limit('max_user_instances') >= 8192, `max_user_instances ${limit('max_user_instances')}`);
    assert.ok(limit('max_user_watches') >= 1_048_576, `max_user_watches ${limit('max_user_watches')}`);
  });

  it('runs a dockerd on each host that names itself after the host', async () => {
    for (const host of hosts) {
      assert.equal(await sshOk(host, "docker info --format '{{.Name}}'"), host.name);
    }
  });

  it('keeps a file written on zlab1 private to zlab1', async () => {
    const file = `/etc/zlab-private-${randomBytes(4).toString('hex')}`;
    await sshOk(byName('zlab1'), `echo secret > ${file}`);
    assert.equal(await sshOk(byName('zlab1'), `cat ${file}`), 'secret');
    const other = await ssh(byName('zlab2'), `test -e ${file}`);
    assert.equal(other.code, 1, `${file} is visible on zlab2`);
    assert.equal(existsSync(file), false, `${file} is visible on the machine`);
  });

  it('runs on zlab2 the images built on zlab1 and served by the registry', async () => {
    await labImages();
    const zlab2 = byName('zlab2');
    const tools = await sshOk(zlab2, 'docker run --rm zke/tools:v1 which nc tar sha256sum');
    assert.deepEqual(tools.split('\n'), ['/bin/nc', '/bin/tar', '/bin/sha256sum']);

    // a fresh build, so this run proves the whole path: build on zlab1, push, pull on zlab2
    const nonce = randomBytes(8).toString('hex');
    const context = tempDir('zlab-test');
    try {
      writeFileSync(path.join(context, 'Dockerfile'), `FROM zke/tools:v1\nRUN echo ${nonce} > /nonce\n`);
      await labBuildImage('zke/lab-selftest:v1', context, { force: true });
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    assert.equal(await sshOk(zlab2, 'docker run --rm zke/lab-selftest:v1 cat /nonce'), nonce);
  });

  it('adds a fourth host with sshd and dockerd, which the others know by name', async () => {
    hosts = await labAddHost();
    assert.deepEqual(
      hosts.map((h) => h.name),
      ['zlab1', 'zlab2', 'zlab3', 'zlab4'],
    );
    const zlab4 = byName('zlab4');
    assert.equal(zlab4.address, `${network}.14`);
    assert.equal(await sshOk(zlab4, "docker info --format '{{.Name}}'"), 'zlab4');
    assert.deepEqual((await sshOk(byName('zlab1'), 'getent hosts zlab4')).split(/\s+/), [
      `${network}.14`,
      'zlab4',
    ]);
  });

  it("puts a host's containers in that host's own cgroup branch", async () => {
    // still running at `down`: its cgroup is what a killed host leaves behind
    const id = await sshOk(byName('zlab2'), 'docker run -d zke/tools:v1 sleep 600');
    const branch = branches('zlab2');
    assert.ok(branch.length > 0, 'zlab2 has a cgroup branch');
    assert.ok(
      branch.some((dir) => existsSync(path.join(dir, id))),
      `container ${id} is under ${branch.join(', ')}`,
    );
  });

  it("removes a killed host's cgroup branch and only that", async () => {
    await sshOk(byName('zlab4'), 'docker run -d zke/tools:v1 sleep 600');
    assert.ok(branches('zlab4').length > 0, 'zlab4 has a cgroup branch');

    await labFault('kill-host', 'zlab4');

    assert.deepEqual(branches('zlab4'), []);
    assert.ok(branches('zlab2').length > 0, "zlab2's branch is gone too");
  });

  it("takes a process that now has a killed host's recorded init PID for somebody else's", async () => {
    // PIDs wrap: as if the next process to start had got the dead init's PID
    stranger = spawn('sleep', ['600'], { stdio: 'ignore' });
    writeFileSync(path.join(LAB_ROOT, 'hosts', 'zlab4.init'), String(stranger.pid));

    const status = await lab(['status']);
    assert.match(status.stdout, /^zlab4 \S+ init=dead /m);
    const exec = await labExec('zlab4', ['hostname']);
    assert.notEqual(exec.code, 0, `ran on the machine: ${exec.stdout}`);
    assert.match(exec.stderr, /host zlab4 is not running/);
  });

  it('leaves no netns, mount, cgroup or process behind on down, and no other process killed', async () => {
    const pids = await labPids();
    assert.ok(pids.length > 3 * 3, `expected init, sshd and dockerd of 3 hosts, got ${pids.length} pids`);
    const started = processSnapshot(pids);

    await labDown();

    assert.deepEqual(stillRunning(started), []);
    assert.deepEqual(currentLab().remains(), []);
    assert.deepEqual(
      stillRunning(processSnapshot([stranger!.pid!])),
      [stranger!.pid],
      'the stranger was killed',
    );
  });
});
