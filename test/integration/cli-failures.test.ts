import './api-home.ts';
// The zke CLI against the real API, workflows and activities, with hosts that cannot be reached (loopback
// ports): what a user sees when a first run fails. The summary names every failed host once with where SSH
// tried to connect; a cluster that never came up can be forgotten; `zke status` next to its cluster.yml lists.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { EXIT } from '../../cli/command.ts';
import { FileClusterStore } from '../../common/store.ts';
import { tempDir } from '../support/tempDir.ts';
import { type CliRun, runZke } from '../support/zkeCli.ts';
import { apiSuite, terminateCluster } from './api-harness.ts';

// the hosts live on loopback (127.0.0.1 and .2), which an operator must allow; the key in a key directory
process.env.ZKE_ALLOWED_NODE_CIDRS = '127.0.0.0/8';
const suite = apiSuite({ worker: true });
const dir = tempDir('zke-cli-failures');
const stamp = Date.now().toString(36);
const twoHosts = `two-${stamp}`;
const noKey = `nokey-${stamp}`;
const keyDir = path.join(process.env.ZKE_HOME ?? dir, 'ssh');
fs.mkdirSync(keyDir, { recursive: true, mode: 0o700 });
const keyPath = path.join(keyDir, `id_ed25519-${stamp}`);
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);

/** Accepts TCP connections and drops them at once: "Connection lost before handshake". */
const dropping = net.createServer((socket) => socket.destroy());
let closedPort = 0;
let droppingPort = 0;

before(async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve)); // nobody listens there now
  await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.2', resolve));
  droppingPort = (dropping.address() as net.AddressInfo).port;
});

after(async () => {
  dropping.close();
  for (const name of [twoHosts, noKey]) {
    await terminateCluster(suite.t, name);
    new FileClusterStore().remove(name);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function clusterDir(name: string, nodes: string): string {
  const cwd = path.join(dir, name);
  fs.mkdirSync(cwd, { recursive: true });
  fs.writeFileSync(path.join(cwd, 'cluster.yml'), `cluster_name: ${name}\nnodes:\n${nodes}`);
  return cwd;
}

const node = (name: string, address: string, port: number, roles: string, key = keyPath) =>
  `  - {name: ${name}, address: ${address}, port: ${port}, user: core, roles: [${roles}], ssh_key_path: ${key}}\n`;

function zke(cwd: string, ...args: string[]): Promise<CliRun> {
  return runZke(args, { ZKE_API: suite.api.url, ZKE_TOKEN: suite.api.token }, cwd);
}

const count = (text: string, word: string) => text.split(word).length - 1;

test(
  'two unreachable hosts: the summary names each once, with user@address:port',
  { timeout: 90_000 },
  async () => {
    const cwd = clusterDir(
      twoHosts,
      node('n1', '127.0.0.1', closedPort, 'etcd, controlplane, worker') +
        node('n2', '127.0.0.2', droppingPort, 'worker'),
    );
    const up = await zke(cwd, 'up');
    assert.equal(up.code, EXIT.failed, up.stdout + up.stderr);
    assert.match(up.stderr, /provision of cluster .* failed: check hosts failed on 2 host\(s\): n1: /);
    assert.equal(count(up.stderr, 'n1: '), 1, up.stderr);
    assert.equal(count(up.stderr, 'n2: '), 1, up.stderr);
    assert.match(up.stderr, new RegExp(`n1: SSH to core@127\\.0\\.0\\.1:${closedPort}: .*ECONNREFUSED`));
    assert.match(up.stderr, new RegExp(`n2: SSH to core@127\\.0\\.0\\.2:${droppingPort}: .*handshake`));
  },
);

test(
  'a cluster that never came up: remove fails and says to use --forget, which forgets it',
  { timeout: 60_000 },
  async () => {
    const cwd = clusterDir(
      noKey,
      node('n1', '127.0.0.1', closedPort, 'etcd, controlplane, worker', path.join(keyDir, 'missing-id_rsa')),
    );
    assert.equal((await zke(cwd, 'up')).code, EXIT.failed);
    const remove = await zke(cwd, 'remove', '--force');
    assert.equal(remove.code, EXIT.failed, remove.stdout + remove.stderr);
    assert.match(
      remove.stderr,
      /clean hosts failed on 1 host\(s\): n1: SSH key \S+missing-id_rsa cannot be read/,
    );
    assert.match(remove.stderr, /zke remove --forget/);
    assert.equal((await zke(cwd, 'status', '-n', noKey)).code, EXIT.ok, 'still known');

    const forget = await zke(cwd, 'remove', '--forget', '--force');
    assert.equal(forget.code, EXIT.ok, forget.stdout + forget.stderr);
    assert.match(forget.stdout, /remove of cluster .* succeeded/);
    const gone = await zke(cwd, 'status', '-n', noKey);
    assert.equal(gone.code, EXIT.failed);
    assert.match(gone.stderr, new RegExp(`Not Found: no cluster ${noKey}`));
  },
);

test('zke status next to a cluster.yml that was never brought up lists the clusters', async () => {
  const cwd = clusterDir(`never-${stamp}`, node('n1', '127.0.0.1', closedPort, 'etcd, controlplane, worker'));
  const status = await zke(cwd, 'status');
  assert.equal(status.code, EXIT.ok, status.stderr);
  assert.match(status.stdout, new RegExp(`^${twoHosts} +failed `, 'm'));
  assert.match(status.stderr, /names cluster never-.*which the API does not know: listing every cluster/);
  const asked = await zke(cwd, 'status', '-c', 'cluster.yml');
  assert.equal(asked.code, EXIT.failed, 'a file given with -c names the cluster asked for');
  assert.match(asked.stderr, /Not Found: no cluster never-/);
  const known = await zke(path.join(dir, twoHosts), 'status');
  assert.equal(known.code, EXIT.ok, known.stderr);
  assert.match(known.stdout, new RegExp(`^cluster ${twoHosts}: failed`));
});
