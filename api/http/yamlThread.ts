// Large YAML bodies are read on one worker thread, so a megabyte of YAML (seconds of CPU) does not stall
// every other request. Started on first use; idle, it does not keep the process alive.
import { Worker } from 'node:worker_threads';
import { HttpError } from '../problem.ts';
import type { YamlOutcome } from './yamlRead.ts';

const PARSE_TIMEOUT_MS = 30_000;

interface Pending {
  resolve: (outcome: YamlOutcome) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, Pending>();

/** The worker runs TypeScript like the rest of zke: tsx registered first, then the entry module. */
function startWorker(): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./yamlThreadEntry.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const started = new Worker(boot, { eval: true });
  started.on(
    'message',
    ({ id, outcome, failure }: { id: number; outcome?: YamlOutcome; failure?: string }) => {
      const request = settle(id);
      if (outcome) request?.resolve(outcome);
      else request?.reject(new Error(`reading the YAML body failed: ${failure}`));
    },
  );
  started.on('error', (error) => stopWorker(new Error(`the YAML reader thread failed: ${error.message}`)));
  started.unref();
  return started;
}

function settle(id: number): Pending | undefined {
  const request = pending.get(id);
  pending.delete(id);
  if (request) clearTimeout(request.timer);
  if (pending.size === 0) worker?.unref();
  return request;
}

function stopWorker(reason: Error): void {
  const stopped = worker;
  worker = undefined;
  for (const id of [...pending.keys()]) settle(id)?.reject(reason);
  void stopped?.terminate();
}

/** readYaml(text), on the worker thread; rejects with 400 when it takes longer than PARSE_TIMEOUT_MS. */
export function yamlInThread(text: string): Promise<YamlOutcome> {
  worker ??= startWorker();
  worker.ref();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const tooSlow = new HttpError(
        400,
        'Bad Request',
        `reading the YAML body took over ${PARSE_TIMEOUT_MS / 1000} s`,
      );
      settle(id)?.reject(tooSlow);
      stopWorker(tooSlow);
    }, PARSE_TIMEOUT_MS);
    pending.set(id, { resolve, reject, timer });
    worker!.postMessage({ id, text });
  });
}
