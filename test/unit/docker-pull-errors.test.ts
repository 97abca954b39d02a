// A failed pull says which image, which registry Docker tried and why: the tag is missing or access was refused
// or TLS does not fit (permanent: retrying cannot help), or the registry is unreachable (retried). Docker's
// answers below are the ones Docker 20.10 gives (the missing tag and the refused port as seen in the lab).
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { type DockerApi, DockerError } from '../../activities/docker/api.ts';
import { ensureImage, registryAuth } from '../../activities/docker/containers.ts';
import { imageRegistry, pullCause, pullFailure } from '../../activities/docker/pullErrors.ts';

const LAB = '10.77.6.1:5000';
const ANSWERS = {
  missing: [
    `manifest for ${LAB}/zke/nope:v0 not found: manifest unknown: manifest unknown`,
    'manifest unknown: manifest unknown',
    'name unknown: repository name not known to registry',
  ],
  denied: [
    `Head "https://${LAB}/v2/zke/etcd/manifests/v1": no basic auth credentials`,
    'unauthorized: authentication required',
    "pull access denied for zke/etcd, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
  ],
  tls: [
    'Get "https://10.77.6.1:5001/v2/": http: server gave HTTP response to HTTPS client',
    'Get "https://reg.example/v2/": x509: certificate signed by unknown authority',
  ],
  unreachable: [
    'Get "https://10.77.6.1:5999/v2/": dial tcp 10.77.6.1:5999: connect: connection refused',
    'Get "https://reg.example/v2/": dial tcp: lookup reg.example on [::1]:53: no such host',
    'Get "https://reg.example/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
  ],
  other: ['received unexpected HTTP status: 502 Bad Gateway'],
} as const;

suite('pullCause', () => {
  for (const [cause, answers] of Object.entries(ANSWERS)) {
    test(`${cause}: ${answers.length} of Docker's answers`, () => {
      for (const answer of answers) assert.equal(pullCause(answer), cause, answer);
    });
  }
});

suite('the registry a failure names', () => {
  test("an image's registry is its first part when that is a host", () => {
    assert.equal(imageRegistry(`${LAB}/zke/etcd:v1`), LAB);
    assert.equal(imageRegistry('localhost/etcd:v1'), 'localhost');
    assert.equal(imageRegistry('reg.example/etcd'), 'reg.example');
    assert.equal(imageRegistry('zke/etcd:v1'), 'Docker Hub');
    assert.equal(imageRegistry('etcd'), 'Docker Hub');
  });

  test('the registry Docker says it tried wins (a mirror, or the fallback after it)', () => {
    const failure = pullFailure('h1', 'zke/etcd:v1', ANSWERS.unreachable[1]);
    assert.match(failure!.message, /^h1: cannot pull zke\/etcd:v1 from registry reg\.example: /);
  });
});

suite('pullFailure', () => {
  const image = `${LAB}/zke/nope:v0`;
  const cases = [
    ['missing', 'ImageNotFound', true, 'it has no such image or tag'],
    ['denied', 'RegistryAccessDenied', true, 'it refused access (wrong or missing credentials'],
    ['tls', 'RegistryTlsMismatch', true, "the host's Docker cannot speak TLS with it"],
    ['unreachable', 'RegistryUnreachable', false, 'it could not be reached'],
  ] as const;
  for (const [cause, type, permanent, says] of cases) {
    test(`${cause}: ${type}, ${permanent ? 'not retried' : 'retried'}, naming host, image, registry and Docker's words`, () => {
      const detail = ANSWERS[cause][0];
      const failure = pullFailure('h1', image, detail);
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, permanent);
      const registry = cause === 'missing' || cause === 'denied' ? LAB : /https:\/\/([^/]+)/.exec(detail)![1];
      assert.ok(
        failure.message.startsWith(`h1: cannot pull ${image} from registry ${registry}: ${says}`),
        failure.message,
      );
      assert.ok(failure.message.endsWith(`(Docker: ${detail})`), failure.message);
    });
  }

  test('an unknown cause is left to the caller', () => {
    assert.equal(pullFailure('h1', image, ANSWERS.other[0]), undefined);
  });
});

suite('ensureImage', () => {
  /** A Docker without the image that refuses its pull up front with HTTP `status`, as the lab's did. */
  function refusing(status: number, detail: string): DockerApi {
    return {
      host: 'zlab1',
      registries: [],
      freeBytes: async () => 50 * 1024 ** 3,
      call: async () => ({ status: 404, body: {} }),
      stream: async () => {
        throw new DockerError(status, `zlab1: docker answered ${status}: ${detail}`, detail);
      },
    } as unknown as DockerApi;
  }

  test('a missing tag refused up front (404) is a permanent ImageNotFound naming the registry', async () => {
    const err = await ensureImage(refusing(404, ANSWERS.missing[0]), `${LAB}/zke/nope:v0`, () => {}).catch(
      (e: Error) => e,
    );
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'ImageNotFound');
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      /^zlab1: cannot pull 10\.77\.6\.1:5000\/zke\/nope:v0 from registry 10\.77\.6\.1:5000: /,
    );
  });

  test('a refused connection (500) is a retryable RegistryUnreachable naming the port Docker tried', async () => {
    const image = '10.77.6.1:5999/zke/etcd:v1';
    const err = await ensureImage(refusing(500, ANSWERS.unreachable[0]), image, () => {}).catch(
      (e: Error) => e,
    );
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'RegistryUnreachable');
    assert.equal(err.nonRetryable, false);
    assert.match(err.message, /from registry 10\.77\.6\.1:5999: it could not be reached \(Docker: Get /);
  });
});

suite('credentials', () => {
  /** A Docker without the image whose pull succeeds; records the headers of the pull. */
  function recording(registries: DockerApi['registries']): {
    docker: DockerApi;
    headers: Record<string, string>[];
  } {
    const headers: Record<string, string>[] = [];
    const docker = {
      host: 'h1',
      registries,
      call: async () => ({ status: 404, body: {} }),
      stream: async (_m: string, _p: string, _on: unknown, h: Record<string, string> = {}) => {
        headers.push(h);
      },
    } as unknown as DockerApi;
    return { docker, headers };
  }
  const registry = {
    url: 'reg.example:5000',
    user: 'puller',
    password: { secret: true, value: 's3cret' },
    isDefault: true,
  } as const;

  test("a private registry's user and password go with the pull as Docker's X-Registry-Auth", async () => {
    const { docker, headers } = recording([registry]);
    await ensureImage(docker, 'reg.example:5000/zke/etcd:v1', () => {});
    const header = headers[0]!['X-Registry-Auth']!;
    const auth = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    assert.deepEqual(auth, { username: 'puller', password: 's3cret', serveraddress: 'reg.example:5000' });
  });

  test("X-Registry-Auth is URL-safe base64 with padding, as Go's base64.URLEncoding (Docker) requires", () => {
    // every length of JSON mod 3; without padding Docker's decoder stops short and the pull goes without credentials
    for (const password of ['a', 'ab', 'abc']) {
      const header = registryAuth('reg.example:5000/zke/etcd:v1', [
        { ...registry, password: { secret: true, value: password } },
      ])['X-Registry-Auth']!;
      assert.match(header, /^[A-Za-z0-9_-]*={0,2}$/);
      assert.equal(header.length % 4, 0, header);
      assert.equal(JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).password, password);
    }
  });

  test('an image of another registry is pulled without them', async () => {
    const { docker, headers } = recording([registry]);
    await ensureImage(docker, 'other.example/zke/etcd:v1', () => {});
    assert.deepEqual(headers, [{}]);
  });
});
