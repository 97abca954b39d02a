// Several lab instances on one machine: each has its own network, hosts and registry, and
// `down` of one leaves the other working. Instances 0 and 3 unless ZLAB_TEST_INSTANCES=a,b.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe } from 'node:test';
import {
  LAB_SKIP_REASON,
  type LabHost,
  type LabInstance,
  labInstance,
  type ProcessSnapshot,
  processSnapshot,
  runCommand,
  stillRunning,
} from '../support/lab.ts';
import { skipping } from '../support/skipping.ts';

const [firstId, secondId] = (process.env.ZLAB_TEST_INSTANCES ?? '0,3').split(',').map(Number);

async function sshOk(instance: LabInstance, host: string, command: string): Promise<string> {
  const result = await runCommand('ssh', ['-F', instance.ssh.configPath, host, command]);
  assert.equal(result.code, 0, `instance ${instance.id}: ssh ${host} ${command}: ${result.stderr}`);
  return result.stdout.trim();
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function snapshotOf(instance: LabInstance): Promise<ProcessSnapshot> {
  return processSnapshot(await instance.pids());
}

// the long-lived processes of an instance: hosts' inits, sshd listeners, dockerd, containerd, the two registries
const DAEMON =
  /^bash \S*hostinit\.sh|^sshd: .*\[listener\]|^\/usr\/sbin\/dockerd|^containerd --config|^docker-registry /;
async function daemonSnapshot(instance: LabInstance): Promise<ProcessSnapshot> {
  const snapshot = await snapshotOf(instance);
  return new Map([...snapshot].filter(([pid]) => DAEMON.test(commandLine(pid))));
}

// ssh, its own address, dockerd and an image pulled through its own instance's registry
async function assertHostWorks(instance: LabInstance, host: LabHost): Promise<void> {
  assert.equal(await sshOk(instance, host.name, 'hostname'), host.name);
  const eth0 = await sshOk(instance, host.name, 'ip -4 -o addr show dev eth0');
  assert.match(eth0, new RegExp(` ${host.address.replaceAll('.', '\\.')}/24 `));
  assert.equal(await sshOk(instance, host.name, "docker info --format '{{.Name}}'"), host.name);
  const mirrors = await sshOk(instance, host.name, "docker info --format '{{json .RegistryConfig.Mirrors}}'");
  assert.deepEqual(JSON.parse(mirrors), [`http://${instance.registry}/`]);
  const pull = 'docker rmi -f zke/tools:v1 >/dev/null 2>&1; docker run --rm zke/tools:v1 echo pulled';
  assert.equal(await sshOk(instance, host.name, pull), 'pulled');
}

// Another lab's containers coming and going, imitated: once the WATCH netns is gone, namespaces named PREFIX1,
// PREFIX2... are added, each with a process in it, until the STOP file exists. The kernel hands a freed
// namespace's inode number to the next namespace created, so some get the numbers of those `down` deleted.
const CHURN = `while [ -e "/run/netns/$1" ] && [ ! -e "$3" ]; do sleep 0.01; done
for i in $(seq 1 300); do [ ! -e "$3" ] || break; ip netns add "$2$i"; ip netns exec "$2$i" sleep 600 > /dev/null & echo $!; done`;

/** Starts the churn; stop() ends it, removes what it made and returns its processes that had died meanwhile. */
function startNetnsChurn(watch: string): { stop: () => Promise<number[]> } {
  const prefix = `zketest${process.pid}-`;
  const stopFile = path.join(tmpdir(), `${prefix}stop`);
  const churn = spawn('bash', ['-c', CHURN, 'churn', watch, prefix, stopFile], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  churn.stdout.on('data', (chunk) => {
    out += chunk;
  });
  const ended = new Promise((resolve) => churn.on('close', resolve));
  const stop = async () => {
    writeFileSync(stopFile, '');
    await ended;
    rmSync(stopFile);
    const pids = out.split('\n').filter(Boolean).map(Number);
    const running = stillRunning(processSnapshot(pids));
    for (const pid of running) process.kill(pid, 'SIGKILL');
    const names =
      (await runCommand('ip', ['netns', 'list'])).stdout.match(new RegExp(`${prefix}\\d+`, 'g')) ?? [];
    for (const name of names) await runCommand('ip', ['netns', 'del', name]);
    return pids.filter((pid) => !running.includes(pid));
  };
  return { stop };
}

describe('several lab instances on one machine', { timeout: 600_000 }, () => {
  const { it, before, after } = skipping(LAB_SKIP_REASON); // each test skips, counted
  const first = labInstance(firstId!);
  const second = labInstance(secondId!);
  let firstHosts: LabHost[] = [];
  let secondHosts: LabHost[] = [];

  before(async () => {
    // at the same time: each instance has its own lock
    [firstHosts, secondHosts] = await Promise.all([first.up(1), second.up(2)]);
    await first.images();
  });

  after(async () => {
    for (const instance of [second, first]) if (instance.isUp()) await instance.down();
  });

  it('gives each instance its own network, with the same host names', () => {
    assert.deepEqual(firstHosts, [{ name: 'zlab1', address: `10.77.${firstId}.11`, user: 'root', port: 22 }]);
    assert.deepEqual(secondHosts, [
      { name: 'zlab1', address: `10.77.${secondId}.11`, user: 'root', port: 22 },
      { name: 'zlab2', address: `10.77.${secondId}.12`, user: 'root', port: 22 },
    ]);
  });

  it('serves ssh and docker on every host of both, images from their own registry', async () => {
    for (const host of firstHosts) await assertHostWorks(first, host);
    for (const host of secondHosts) await assertHostWorks(second, host);
  });

  it("keeps each instance's hosts off the other instance's network", async () => {
    const probe = `timeout 3 bash -c 'exec 3<>/dev/tcp/${first.registry.replace(':', '/')}'`;
    const across = await runCommand('ssh', ['-F', second.ssh.configPath, 'zlab1', probe]);
    assert.notEqual(across.code, 0, `${second.id}/zlab1 reaches ${first.registry}`);
  });

  it('takes down the second instance and leaves the first working', async () => {
    const firstDaemons = await daemonSnapshot(first);
    const secondProcesses = await snapshotOf(second);
    // per host: init, sshd, dockerd, containerd; plus the registry and the password registry
    assert.equal(firstDaemons.size, 6, `first instance's daemons: ${[...firstDaemons.keys()]}`);

    // `down` must neither take these for its own leftovers nor kill them
    const churn = startNetnsChurn(second.bridgeNetns);
    await second
      .down()
      .finally(async () => assert.deepEqual(await churn.stop(), [], 'churn processes killed'));

    assert.deepEqual(stillRunning(secondProcesses), []);
    assert.deepEqual(second.remains(), []);
    assert.deepEqual(stillRunning(firstDaemons), [...firstDaemons.keys()]);
    const status = await first.run(['status']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^registry .* up /m);
    assert.match(status.stdout, /^zlab1 .* sshd=up docker=up link=up$/m);
    await assertHostWorks(first, firstHosts[0]!);
  });

  it('takes down the first instance: nothing of either remains', async () => {
    const firstProcesses = await snapshotOf(first);
    await first.down();
    assert.deepEqual(stillRunning(firstProcesses), []);
    assert.deepEqual(first.remains(), []);
    assert.deepEqual(second.remains(), []);
  });
});
