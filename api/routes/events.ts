// Server-Sent Events for one operation: polls its status query about once a second, sends `progress`
// when it changed, and ends with `result` (the final Operation) once the run is closed, or with `error` (a
// problem: Temporal has not answered for giveUpMs) so that no follower waits forever on a Temporal that is gone.
import type { Request, Response } from 'express';
import type { Operations, OperationView } from '../service/operations.ts';

export const POLL_MS = 1000;
const KEEPALIVE_MS = 15_000;
/** How long polls may fail in a row before the stream ends with an `error` event. */
export const STREAM_GIVE_UP_MS = 30_000;

export async function streamOperation(
  operations: Operations,
  id: string,
  req: Request,
  res: Response,
  giveUpMs = STREAM_GIVE_UP_MS,
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
  let failing: { since: number; error: Error } | undefined;
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
    if (failing && Date.now() - failing.since >= giveUpMs) {
      send('error', unreachable(id, failing));
      break;
    }
    if (Date.now() - lastWrite > KEEPALIVE_MS) res.write(': keep-alive\n\n');
    await sleep(POLL_MS);
    if (!open) break;
    const polled = await poll(operations, id);
    if (polled instanceof Error) failing ??= { since: Date.now(), error: polled };
    else [operation, failing] = [polled, undefined];
  }
  res.end();
}

/**
 * One poll under its own deadline (the request's would run out). A failed one (Temporal briefly unreachable)
 * keeps the last view for a while rather than breaking the stream.
 */
async function poll(operations: Operations, id: string): Promise<OperationView | Error> {
  try {
    return await operations.withDeadline(() => operations.get(id));
  } catch (error) {
    return error as Error;
  }
}

/** The `error` event: a problem (as the API's error responses) saying what happened and how to follow again. */
function unreachable(id: string, failing: { since: number; error: Error }) {
  const seconds = Math.round((Date.now() - failing.since) / 1000);
  return {
    type: 'about:blank',
    title: 'Service Unavailable',
    status: 503,
    detail:
      `the operation's status could not be read for ${seconds} s (${failing.error.message}): is Temporal ` +
      `running? The operation goes on once Temporal is back; follow it again with zke operations follow ${id}`,
    operationId: id,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
