// Server-Sent Events for one operation: polls its status query about once a second, sends `progress`
// when it changed, and ends with `result` (the final Operation) once the run is closed.
import type { Request, Response } from 'express';
import type { Operations, OperationView } from '../service/operations.ts';

export const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;

export async function streamOperation(
  operations: Operations,
  id: string,
  req: Request,
  res: Response,
): Promise<void> {
  let operation = await operations.get(id); // 404 before the stream starts
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  let open = true;
  req.on('close', () => {
    open = false;
  });
  let lastSent = '';
  let lastWrite = Date.now();
  const send = (event: string, data: unknown) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    lastWrite = Date.now();
  };
  while (open) {
    const progress = JSON.stringify(operation.progress ?? null);
    if (operation.progress && progress !== lastSent) {
      send('progress', operation.progress);
      lastSent = progress;
    }
    if (operation.state !== 'running') {
      send('result', operation);
      break;
    }
    if (Date.now() - lastWrite > KEEPALIVE_MS) res.write(': keep-alive\n\n');
    await sleep(POLL_MS);
    if (open) operation = await poll(operations, id, operation);
  }
  res.end();
}

/**
 * A poll that fails (Temporal briefly unreachable) keeps the last view rather than breaking the stream; each
 * poll has its own deadline (the request's would run out).
 */
async function poll(operations: Operations, id: string, last: OperationView): Promise<OperationView> {
  try {
    return await operations.withDeadline(() => operations.get(id));
  } catch {
    return last;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
