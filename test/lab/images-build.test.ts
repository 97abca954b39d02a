// `zke images build` as a user runs it: the user's Docker is lab host zlab1's dockerd, reached through
// DOCKER_HOST (lab/zlab.sh docker-host), and the user's registry is one of this test's own, over TLS, that takes
// only user `builder` with his password. One small image is built (the etcd of the lab's Kubernetes version; its
// binaries come from the build cache) and pushed there. Run alone with e.g.
// `ZLAB_ID=6 node --import tsx --test test/lab/images-build.test.ts`.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { findVersion } from '../../model/versions.ts';
import { k8sSkipReason, LAB_K8S_VERSION } from '../support/cluster.ts';
import {
  currentLab,
  type ExecResult,
  labDockerHost,
  labDown,
  labExec,
  labUp,
  runCommand,
} from '../support/lab.ts';

const skip = k8sSkipReason();
const ZKE = join(import.meta.dirname, '../../bin/zke.mjs');
const VERSION = LAB_K8S_VERSION;
const ETCD = findVersion(VERSION)!.images.etcd;
const USER = 'builder';
const PASSWORD = `pw-${process.pid}`;

let dir: string;
let registry: ChildProcess | undefined;
let address: string; // host:port of the user's registry
let dockerHost: string;

/** A self-signed certificate for the registry's IP address: its own CA, as a site's private CA would be. */
function certificate(ip: string): void {
  const args = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1'.split(' ');
  const files = ['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.pem')];
  const name = ['-subj', `/CN=${ip}`, '-addext', `subjectAltName=IP:${ip}`];
  const run = spawnSync('openssl', [...args, ...files, ...name], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
}

/** The user's registry: Debian's docker-registry with TLS and htpasswd, on the lab network, storage in `dir`. */
async function startRegistry(): Promise<void> {
  const ip = currentLab().registry.split(':')[0]!;
  address = `${ip}:5002`;
  certificate(ip);
  const htpasswd = spawnSync('htpasswd', ['-Bbn', USER, PASSWORD], { encoding: 'utf8' });
  writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
  writeFileSync(
    join(dir, 'registry.yml'),
    `version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: ${dir}/data}}
http: {addr: "${address}", tls: {certificate: ${dir}/ca.pem, key: ${dir}/key.pem}}
auth: {htpasswd: {realm: zke-test, path: ${dir}/htpasswd}}
`,
  );
  registry = spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'inherit' });
  for (let i = 0; i < 100 && (await statusOf('/v2/')) !== '401'; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

/** GET `path` of the user's registry with curl, trusting its CA. */
function curl(path: string, args: string[] = []): Promise<ExecResult> {
  const url = `https://${address}${path}`;
  return runCommand('curl', ['-sS', '--noproxy', '*', '--cacert', join(dir, 'ca.pem'), ...args, url]);
}

/** The HTTP status the user's registry answers to an anonymous GET of `path`. */
const statusOf = async (path: string) => (await curl(path, ['-o', '/dev/null', '-w', '%{http_code}'])).stdout;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'zke-images-build-'));
  await labUp(1);
  dockerHost = await labDockerHost('zlab1');
  await startRegistry();
  // the Docker trusts the site's CA as a user's would (docker reads certs.d at each connection)
  const certs = `/etc/docker/certs.d/${address}`;
  const trust = await labExec(
    'zlab1',
    ['sh', '-c', `mkdir -p ${certs} && cat > ${certs}/ca.crt`],
    readFileSync(join(dir, 'ca.pem')),
  );
  assert.equal(trust.code, 0, trust.stderr);
});
after(async () => {
  if (skip) return;
  registry?.kill();
  rmSync(dir, { recursive: true, force: true });
  await labDown();
});

const zke = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [ZKE, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      DOCKER_HOST: dockerHost,
      ZKE_REGISTRY_PASSWORD: PASSWORD,
      NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
      ...env,
    },
  });

const build = (env?: NodeJS.ProcessEnv) =>
  zke(['images', 'build', '--version', VERSION, '--registry', `${address}/team`, '--user', USER, ETCD], env);

test(
  'build: the image is built with the Docker DOCKER_HOST names and pushed into the user registry',
  { skip, timeout: 300_000 },
  async () => {
    const first = build();
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^image ${ETCD}: built and pushed in \\d+ s$`, 'm'));

    const served = await curl(`/v2/team/${ETCD.replace(':', '/manifests/')}`, [
      '-f',
      '-u',
      `${USER}:${PASSWORD}`,
      '-H',
      'Accept: application/vnd.docker.distribution.manifest.v2+json',
    ]);
    assert.equal(served.code, 0, `the registry serves ${address}/team/${ETCD}: ${served.stderr}`);
    const manifest = JSON.parse(served.stdout) as { config: { digest: string } };
    const inspect = ['docker', 'image', 'inspect', '--format', '{{.Id}}', `${address}/team/${ETCD}`];
    const built = (await labExec('zlab1', inspect)).stdout.trim();
    assert.equal(manifest.config.digest, built, 'the registry serves the image the Docker built');
    assert.equal(await statusOf('/v2/team/zke/etcd/tags/list'), '401', 'anonymous users get nothing');

    const listed = zke(['images', 'list', '--version', VERSION]);
    assert.ok(listed.stdout.split('\n').includes(ETCD), `zke images list --version ${VERSION} names ${ETCD}`);

    const again = build();
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^image ${ETCD}: already in ${address}/team$`, 'm'));
  },
);

/** `zke images build` into the lab's password registry: its storage is the lab registry's, read-only to puller. */
function buildIntoLabRegistry(namespace: string, images: string[]) {
  const lab = currentLab();
  const registry = `http://${lab.passwordRegistry}${namespace}`;
  const args = ['images', 'build', '--version', VERSION, '--registry', registry, '--user', 'puller'];
  return {
    registry,
    run: zke([...args, ...images], { ZKE_REGISTRY_PASSWORD: lab.passwordRegistryPassword() }),
  };
}

test(
  'build: every image zke images list names is one the recipe makes (all in the lab registry)',
  { skip },
  () => {
    const { registry, run } = buildIntoLabRegistry('', []);
    assert.equal(run.status, 0, run.stderr);
    const listed = zke(['images', 'list', '--version', VERSION]).stdout.trim().split('\n');
    const already = new RegExp(`^image (\\S+): already in ${registry}$`, 'gm');
    const made = [...run.stdout.matchAll(already)]
      .map((m) => m[1]!)
      .filter((i) => !i.startsWith('zke/node-base:'));
    assert.deepEqual(made.sort(), listed, 'the images the recipe checked, its base left out');
  },
);

test('build: a registry that takes the login but refuses the push is named with the image', { skip }, () => {
  const { registry, run } = buildIntoLabRegistry('/read-only', [ETCD]);
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    new RegExp(`^image ${ETCD}: the push to ${registry} failed \\(see above\\)$`, 'm'),
  );
});

test('build: a password the registry refuses is named before anything is built', { skip }, () => {
  const run = build({ ZKE_REGISTRY_PASSWORD: 'wrong' });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    new RegExp(`^zke images build: the registry https://${address} refuses as builder: 401`),
  );
  assert.doesNotMatch(run.stdout, /^image /m);
});

test('build: no Docker at DOCKER_HOST says so, and how to point it at one', { skip }, () => {
  const run = build({ DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr,
    /^zke images build: no Docker answers at DOCKER_HOST=unix:\/\/\/nonexistent\/docker\.sock: .*point DOCKER_HOST at a Docker that does/,
  );
});
