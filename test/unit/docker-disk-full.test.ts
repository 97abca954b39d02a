// A full disk on a host fails an image pull for good (HostDiskFull, non-retryable) naming host and image, whether
// Docker refuses the pull up front or reports it in the pull's progress stream; other pull failures keep
// Docker's answer, unless the disk is nearly full (Docker's mirror fallback hides that cause).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { type DockerApi, DockerError } from '../../activities/docker/api.ts';
import { ensureImage } from '../../activities/docker/containers.ts';

const NO_SPACE = 'write /var/lib/docker/tmp/GetImageBlob1: no space left on device';

/** A Docker without the image whose pull ends as `pull` says, with `free` bytes left for images. */
function dockerPulling(
  pull: (onLine: (line: Record<string, unknown>) => void) => Promise<void>,
  free: number | undefined = 50 * 1024 ** 3,
): DockerApi {
  return {
    host: 'h1',
    freeBytes: async () => free,
    call: async () => ({ status: 404, body: {} }),
    stream: async (_method: string, _path: string, onLine: (line: Record<string, unknown>) => void) =>
      pull(onLine),
  } as unknown as DockerApi;
}

async function pullError(docker: DockerApi): Promise<Error> {
  return ensureImage(docker, 'zke/etcd:v3.4.23', () => {}).then(
    () => assert.fail('the pull succeeded'),
    (err: Error) => err,
  );
}

for (const [how, pull] of [
  [
    'refused up front',
    () => Promise.reject(new DockerError(500, `h1: docker answered 500: ${NO_SPACE}`, NO_SPACE)),
  ],
  [
    'in the progress stream',
    async (onLine: (l: Record<string, unknown>) => void) => onLine({ error: NO_SPACE }),
  ],
] as const) {
  test(`no space left on device ${how}: a permanent HostDiskFull naming host and image`, async () => {
    const err = await pullError(dockerPulling(pull));
    assert.ok(err instanceof ApplicationFailure);
    assert.equal(err.type, 'HostDiskFull');
    assert.equal(err.nonRetryable, true);
    assert.equal(
      err.message,
      `h1: cannot pull zke/etcd:v3.4.23: ${NO_SPACE} (the host's disk is full: free space, then run again)`,
    );
  });
}

test('a pull refused for an unknown reason keeps Docker’s answer and status, names the image, stays retryable', async () => {
  const detail = 'received unexpected HTTP status: 502 Bad Gateway';
  const refusal = new DockerError(502, `h1: docker answered 502: ${detail}`, detail);
  const err = await pullError(dockerPulling(() => Promise.reject(refusal)));
  assert.ok(err instanceof DockerError);
  assert.equal(err.status, 502);
  assert.equal(err.message, `h1: cannot pull zke/etcd:v3.4.23: ${detail}`);
});

const MIRROR_FALLBACK =
  'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host';

test('a failed pull on a nearly full disk: a permanent HostDiskFull saying how much is free', async () => {
  const err = await pullError(
    dockerPulling(async (onLine) => onLine({ error: MIRROR_FALLBACK }), 100 * 1024 * 1024),
  );
  assert.ok(err instanceof ApplicationFailure);
  assert.equal(err.type, 'HostDiskFull');
  assert.equal(err.nonRetryable, true);
  assert.match(
    err.message,
    /^h1: cannot pull zke\/etcd:v3\.4\.23: Get "https:.*only 100 MiB free.*nearly full/,
  );
});

test('an unreachable registry with room on the disk (or no way to tell) stays retryable, with Docker’s answer', async () => {
  for (const free of [50 * 1024 ** 3, undefined]) {
    const err = await pullError(dockerPulling(async (onLine) => onLine({ error: MIRROR_FALLBACK }), free));
    assert.ok(err instanceof ApplicationFailure, `free=${free}`);
    assert.equal(err.type, 'RegistryUnreachable');
    assert.equal(err.nonRetryable, false);
    assert.match(
      err.message,
      /^h1: cannot pull zke\/etcd:v3\.4\.23 from registry .*: it could not be reached \(Docker: Get "https:/,
    );
  }
});
