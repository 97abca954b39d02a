// Deps for activities under test (activities/deps.ts): a store of their own under a temporary directory, a
// fixed clock, and a session factory that records the target and reaches no host.
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../../activities/deps.ts';
import type { SshTarget } from '../../activities/ssh/target.ts';
import { FileClusterStore } from '../../common/store.ts';
import { tempDir } from './tempDir.ts';

export interface TestDeps extends ActivityDeps {
  /** The targets sessions were asked for, in order. */
  opened: SshTarget[];
}

export function testDeps(time = '2031-01-01T00:00:00.000Z'): TestDeps {
  const opened: SshTarget[] = [];
  return {
    store: new FileClusterStore(path.join(tempDir('zke-deps'), 'clusters')),
    now: () => new Date(time),
    opened,
    openSession: async (target) => {
      opened.push(target);
      throw ApplicationFailure.nonRetryable(`${target.host}: no hosts in this test`, 'HostUnreachable');
    },
  };
}
