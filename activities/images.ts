// Air-gap images (zke `loadimage`): an image archive on the worker machine is streamed to a node's Docker
// (POST /images/load over the SSH-forwarded socket) unless the node already has every image in it.

import fs from 'node:fs';
import os from 'node:os';
import { Transform } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { latestSpec, nodeOf } from './clusterState.ts';
import { withHeartbeat } from './context.ts';
import { dockerOf, sshTarget, withSession } from './hostSession.ts';
import { archiveImageTags } from './imageArchive.ts';

export interface LoadResult {
  host: string;
  archive: string;
  images: string[];
  /** false: the node had every image already. */
  loaded: boolean;
}

async function tagsOf(archive: string): Promise<string[]> {
  try {
    return await archiveImageTags(archive);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw ApplicationFailure.create({
      type: 'InvalidImageArchive',
      message: missing
        ? `image archive ${archive} is not on the worker machine ${os.hostname()}: copy it there (every worker reads the archives from its own disk, at the same path), then load again`
        : `cannot read image archive ${archive}: ${(err as Error).message}`,
      nonRetryable: true,
    });
  }
}

export async function loadImageArchive(input: {
  cluster: string;
  host: string;
  archive: string;
}): Promise<LoadResult> {
  const images = await tagsOf(input.archive);
  const spec = latestSpec(input.cluster);
  const target = sshTarget(input.cluster, spec, nodeOf(spec, input.host));
  return withHeartbeat((note) =>
    withSession(target, async (session) => {
      const docker = dockerOf(session);
      const missing = [];
      for (const image of images) {
        const found = await docker.call('GET', `/images/${encodeURIComponent(image)}/json`, undefined, [404]);
        if (found.status === 404) missing.push(image);
      }
      const result = { host: input.host, archive: input.archive, images };
      if (images.length && !missing.length) return { ...result, loaded: false };
      // Counted on the way through: a 'data' listener on the file itself would start it flowing before the
      // upload is connected, and the chunks read meanwhile would be lost.
      let sent = 0;
      const body = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sent += chunk.length;
          note(`${input.host}: ${sent} bytes of ${input.archive} sent`);
          done(null, chunk);
        },
      });
      const file = fs.createReadStream(input.archive);
      file.on('error', (err) => body.destroy(err));
      file.pipe(body);
      const answer = await docker.upload('/images/load?quiet=1', body, 'application/x-tar');
      const failure = answer
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { error?: string })
        .find((l) => l.error);
      if (failure) throw new Error(`${input.host}: docker load of ${input.archive} failed: ${failure.error}`);
      return { ...result, loaded: true };
    }),
  );
}
