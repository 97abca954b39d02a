// Hooks most lab test files share: before their tests a Temporal server, lab hosts with the test images and a
// worker on its own task queue; after them, all of it down again.
import { after, before } from 'node:test';
import { type LabHost, labDown, labImages, labUp } from './lab.ts';
import { startTestWorker, type TestTemporal, testTemporal } from './temporal.ts';

export interface LabSuite {
  t: TestTemporal;
  /** The hosts brought up before the tests (none when the file brings up its own). */
  hosts: LabHost[];
  taskQueue: string;
}

/** Registers the hooks (unless skip) and returns the suite, filled in once `before` has run. */
export function useLabSuite(hostCount: number, skip: string | undefined): LabSuite {
  const suite = { hosts: [] } as unknown as LabSuite;
  let stopWorker: () => Promise<void>;
  before(async () => {
    if (skip) return;
    suite.t = await testTemporal();
    if (hostCount > 0) {
      suite.hosts = await labUp(hostCount);
      await labImages();
    }
    const worker = await startTestWorker(suite.t);
    suite.taskQueue = worker.taskQueue;
    stopWorker = () => worker.stop();
  });
  after(async () => {
    if (skip) return;
    await stopWorker();
    await labDown();
    await suite.t.close();
  });
  return suite;
}
