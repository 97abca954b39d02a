// Operations: status (live progress or result), a progress stream, cancellation.
import type { RouteTable } from '../http/route.ts';
import { Operation, OperationParams } from '../schemas.ts';
import type { Services } from '../service/index.ts';
import { streamOperation } from './events.ts';

export function operationRoutes(routes: RouteTable, s: Services): void {
  routes.add({
    method: 'get',
    path: '/v1/operations/{id}',
    tag: 'operations',
    summary: 'Show an operation: live progress while running, then its result or error',
    params: OperationParams,
    responses: { 200: { description: 'The operation.', schema: Operation } },
    handle: async ({ params }) => ({ body: await s.operations.get(params.id) }),
  });

  routes.add({
    method: 'get',
    path: '/v1/operations/{id}/events',
    tag: 'operations',
    summary: 'Follow an operation (Server-Sent Events)',
    description:
      'A `progress` event (an OperationProgress) each time the progress changes (polled about once a second), then one `result` event (an Operation) when the run ends; then the stream closes. When the status cannot be read for 30 s in a row (Temporal gone or frozen), the stream ends with an `error` event instead: a problem (status 503) whose detail says so.',
    params: OperationParams,
    responses: { 200: { description: 'An event stream.', contentType: 'text/event-stream' } },
    handle: async ({ params, req, res }) => {
      await streamOperation(s.operations, params.id, req, res, s.streamGiveUpMs);
      return undefined;
    },
  });

  routes.add({
    method: 'post',
    path: '/v1/operations/{id}/cancel',
    tag: 'operations',
    summary: 'Cancel a running operation (it stops at the next step boundary and cleans up)',
    params: OperationParams,
    responses: { 202: { description: 'Cancellation requested.', schema: Operation } },
    handle: async ({ params }) => ({ status: 202, body: await s.operations.cancel(params.id) }),
  });
}
