// `zke images push` against registries that want a login (which the lab registry does not): the copy answers a
// bearer-token challenge with the user's credentials, and sends what the source serves. `zke images build` runs
// zke's image recipe (lab/k8s/build.sh) for the versions, images and registry asked.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, suite, test } from 'node:test';
import { recipeCommand } from '../../cli/commands/imagesBuild.ts';
import { copyImage, imageLabels, parseRegistry, registryRefusal } from '../../cli/registryCopy.ts';
import { clusterImages, referenceSpec } from '../../model/images.ts';
import { knownVersions } from '../../model/versions.ts';

const digest = (data: string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const LAYER = 'layer bytes';
const CONFIG = '{"architecture":"amd64","config":{"Labels":{"zke.lab.revision":"2"}}}';
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { digest: digest(CONFIG) },
  layers: [{ digest: digest(LAYER) }],
});

/** A source registry serving one image, zke/etcd:v1, without auth. */
function source(): http.Server {
  const blobs: Record<string, string> = { [digest(LAYER)]: LAYER, [digest(CONFIG)]: CONFIG };
  return http.createServer((req, res) => {
    if (req.url === '/v2/zke/etcd/manifests/v1') {
      res
        .writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' })
        .end(MANIFEST);
    } else {
      const blob = blobs[req.url?.split('/blobs/')[1] ?? ''];
      res.writeHead(blob ? 200 : 404).end(blob ?? '');
    }
  });
}

/** A target registry that wants a bearer token, given by its realm for user u, password p. */
function target(stored: Map<string, string>): http.Server {
  const server = http.createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    if (req.url?.startsWith('/token')) {
      const ok = req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`;
      res.writeHead(ok ? 200 : 401).end(ok ? JSON.stringify({ token: 't1' }) : '');
      return;
    }
    if (req.headers.authorization !== 'Bearer t1') {
      const challenge = `Bearer realm="http://127.0.0.1:${port}/token",service="reg",scope="repository:ns/zke/etcd:pull,push"`;
      res.writeHead(401, { 'www-authenticate': challenge }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      if (req.method === 'HEAD') res.writeHead(stored.has(url.pathname) ? 200 : 404).end();
      else if (req.method === 'GET') {
        const body =
          url.pathname === '/v2/'
            ? '{}'
            : (stored.get(url.pathname) ?? stored.get(url.pathname.split('/blobs/')[1] ?? ''));
        res.writeHead(body === undefined ? 404 : 200).end(body ?? '');
      } else if (req.method === 'POST')
        res.writeHead(202, { location: '/v2/ns/zke/etcd/blobs/uploads/u1' }).end();
      else {
        const key = url.searchParams.get('digest') ?? url.pathname;
        stored.set(key, Buffer.concat(chunks).toString('utf8'));
        res.writeHead(201).end();
      }
    });
  });
  return server;
}

suite('images push', () => {
  const stored = new Map<string, string>();
  const servers = [source(), target(stored)];
  const urls: string[] = [];
  before(async () => {
    for (const s of servers) {
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      urls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    }
  });
  after(() => {
    for (const s of servers) s.close();
  });

  test('a registry reference: scheme (https unless said), host and namespace', () => {
    assert.deepEqual(parseRegistry('reg.example:5000/team'), {
      base: 'https://reg.example:5000',
      prefix: 'team/',
      user: undefined,
      password: undefined,
    });
    assert.equal(parseRegistry('http://10.0.0.1:5000').prefix, '');
    assert.equal(parseRegistry('http://10.0.0.1:5000').base, 'http://10.0.0.1:5000');
  });

  test('logs in with the token the challenge names and copies blobs and manifest byte for byte', async () => {
    const to = parseRegistry(`${urls[1]}/ns`, 'u', 'p');
    const result = await copyImage(parseRegistry(urls[0]!), to, 'zke/etcd:v1');
    assert.deepEqual(result, { target: `${new URL(urls[1]!).host}/ns/zke/etcd:v1`, uploaded: 2 });
    assert.equal(stored.get(digest(LAYER)), LAYER);
    assert.equal(stored.get(digest(CONFIG)), CONFIG);
    assert.equal(stored.get('/v2/ns/zke/etcd/manifests/v1'), MANIFEST);
  });

  test('the labels of an image, read with the token; none when the registry lacks the image', async () => {
    const to = parseRegistry(`${urls[1]}/ns`, 'u', 'p');
    assert.deepEqual(await imageLabels(to, 'zke/etcd:v1'), { 'zke.lab.revision': '2' });
    assert.equal(await imageLabels(to, 'zke/etcd:v2'), undefined);
    assert.equal(await registryRefusal(to), undefined);
    assert.match((await registryRefusal(parseRegistry(urls[1]!, 'u', 'wrong'))) ?? '', /token refused: 401$/);
  });

  test('wrong credentials: the token is refused and nothing is sent', async () => {
    stored.clear();
    const to = parseRegistry(`${urls[1]}/ns`, 'u', 'wrong');
    await assert.rejects(copyImage(parseRegistry(urls[0]!), to, 'zke/etcd:v1'), /token refused: 401/);
    assert.equal(stored.size, 0);
  });
});

suite('images build', () => {
  const recipe = (argv: string[]) => argv.map((a) => a.replace(/^.*\/lab\//, 'lab/'));

  test('runs lab/k8s/build.sh for the versions and images asked (exact names), pushing to the registry', () => {
    const command = recipeCommand({
      versions: ['v1.33', '1.34.4'],
      images: ['zke/etcd:v3.6.17'],
      registry: 'reg:5000/team',
    });
    assert.deepEqual(recipe(command), [
      'bash',
      'lab/k8s/build.sh',
      '--no-conformance',
      '--registry',
      'reg:5000/team',
      '--version',
      'v1.33.13',
      '--version',
      'v1.34.4',
      '--image',
      'zke/etcd:v3.6.17',
    ]);
    assert.ok(existsSync(command[1]!), command[1]);
  });

  test('without a registry the images stay in the Docker; without images, all the versions need are named', () => {
    const args = recipe(recipeCommand({ versions: ['v1.34.4'], images: [] }));
    assert.deepEqual(args.slice(0, 6), [
      'bash',
      'lab/k8s/build.sh',
      '--no-conformance',
      '--local',
      '--version',
      'v1.34.4',
    ]);
    const reference = referenceSpec('v1.34.4');
    assert.ok(reference.ok);
    const listed = clusterImages(reference.spec);
    assert.deepEqual(
      args.slice(6),
      listed.flatMap((image) => ['--image', image]),
    );
  });

  test('without versions, every version of the table is built', () => {
    const args = recipeCommand({ versions: [], images: [] });
    assert.ok(args.includes('--all'));
    for (const v of knownVersions()) assert.ok(args.includes(`zke/hyperkube:${v}`), v);
  });

  test('an unknown version is refused before anything runs', () => {
    assert.throws(
      () => recipeCommand({ versions: ['v1.20'], images: [] }),
      /unknown Kubernetes version "v1\.20" \(known: v1\.30\.14, v1\.31\.14, .*, v1\.37\.2\)/,
    );
  });

  test('an image the versions do not use is refused, naming how to list theirs', () => {
    assert.throws(
      () => recipeCommand({ versions: ['v1.34.4'], images: ['zke/etcd:v3.5.36'] }),
      /zke\/etcd:v3\.5\.36 is not an image of v1\.34\.4 \(zke images list --version v1\.34\.4 names them\)/,
    );
  });
});
