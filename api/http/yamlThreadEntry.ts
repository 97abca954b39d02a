// The worker thread that reads large YAML bodies (see yamlThread.ts): one message in, one outcome out.
import { parentPort } from 'node:worker_threads';
import { readYaml } from './yamlRead.ts';

parentPort!.on('message', ({ id, text }: { id: number; text: string }) => {
  try {
    parentPort!.postMessage({ id, outcome: readYaml(text) });
  } catch (error) {
    parentPort!.postMessage({ id, failure: (error as Error).message });
  }
});
