// A failed image pull on a real host says which image, which registry and why, from what the host's Docker
// answers: a tag missing in the lab registry, a registry port nothing listens on, and a plain-HTTP registry
// the host's Docker does not take as insecure; and a pull that carries credentials still works.
// Run alone with e.g. `ZLAB_ID=6 node --import tsx --test test/lab/image-pull.test.ts`.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { DockerApi } from '../../activities/docker/api.ts';
import { ensureImage } from '../../activities/docker/containers.ts';
import { SshSession } from '../../activities/ssh/session.ts';
import { currentLab, LAB_SKIP_REASON, labDown, labExec, labImages, labSsh, labUp } from '../support/lab.ts';

const skip = LAB_SKIP_REASON;
let session: SshSession;
let docker: DockerApi;

before(async () => {
  if (skip) return;
  const [host] = await labUp(1);
  await labImages();
  session = await SshSession.open({ ...host!, host: host!.name, keyPath: labSsh.keyPath });
  const credentials = {
    url: currentLab().registry,
    user: 'puller',
    password: { secret: true, value: 'pw' },
  } as const;
  docker = new DockerApi(session, '/var/run/docker.sock', [{ ...credentials, isDefault: true }]);
});
after(async () => {
  if (skip) return;
  session?.close();
  await labDown();
});

async function pullFailure(image: string): Promise<ApplicationFailure> {
  const err = await ensureImage(docker, image, () => {}).then(
    () => assert.fail(`${image} was pulled`),
    (e: Error) => e,
  );
  assert.ok(err instanceof ApplicationFailure, String(err));
  return err;
}

test(
  'a tag the registry lacks: ImageNotFound, not retried, naming image and registry',
  { skip },
  async () => {
    const registry = currentLab().registry;
    const image = `${registry}/zke/no-such-image:v0`;
    const err = await pullFailure(image);
    assert.equal(err.type, 'ImageNotFound');
    assert.equal(err.nonRetryable, true);
    assert.equal(
      err.message,
      `zlab1: cannot pull ${image} from registry ${registry}: it has no such image or tag (Docker: manifest for ${image} not found: manifest unknown: manifest unknown)`,
    );
  },
);

test(
  'a registry port nothing listens on: RegistryUnreachable, retried, naming what Docker tried',
  { skip },
  async () => {
    const registry = `${currentLab().network}.1:5999`;
    const err = await pullFailure(`${registry}/zke/etcd:v3.4.23`);
    assert.equal(err.type, 'RegistryUnreachable');
    assert.equal(err.nonRetryable, false);
    assert.match(
      err.message,
      /^zlab1: cannot pull \S+:5999\/zke\/etcd:v3\.4\.23 from registry \S+:5999: it could not be reached \(Docker: Get "https:\/\/\S+:5999\/v2\/": dial tcp \S+: connect: connection refused\)$/,
    );
  },
);

test('a plain-HTTP registry Docker takes for HTTPS: RegistryTlsMismatch, not retried', { skip }, async () => {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => server.listen(0, `${currentLab().network}.1`, resolve));
  try {
    const registry = `${currentLab().network}.1:${(server.address() as AddressInfo).port}`;
    const err = await pullFailure(`${registry}/zke/etcd:v3.4.23`);
    assert.equal(err.type, 'RegistryTlsMismatch');
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      new RegExp(`from registry ${registry}: the host's Docker cannot speak TLS with it`),
    );
    assert.match(err.message, /server gave HTTP response to HTTPS client/);
  } finally {
    server.close();
  }
});

test(
  "a pull with the registry's credentials (X-Registry-Auth) is taken by the real Docker",
  { skip },
  async () => {
    const image = `${currentLab().registry}/zke/etcd:v3.4.23`;
    assert.equal(await ensureImage(docker, image, () => {}), 'pulled');
    const listed = await labExec('zlab1', ['docker', 'image', 'inspect', '--format', '{{.Id}}', image]);
    assert.match(listed.stdout, /^sha256:/);
  },
);
