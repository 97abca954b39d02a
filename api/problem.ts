// RFC 9457 problem details: every API error leaves as application/problem+json.
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Response } from 'express';

export interface FieldError {
  path: string;
  message: string;
}

/** An error a handler throws to answer with a given status; the app's error handler renders it. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (detail: string) => new HttpError(404, 'Not Found', detail);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) =>
  new HttpError(409, 'Conflict', detail, extra);
export const badRequest = (detail: string) => new HttpError(400, 'Bad Request', detail);
export const invalid = (errors: readonly FieldError[], warnings: readonly FieldError[] = []) =>
  new HttpError(422, 'Unprocessable Content', `${errors.length} validation error(s)`, { errors, warnings });

export function problem(
  res: Response,
  status: number,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'about:blank', title, status, detail, ...extra }));
}

/** Requests node's HTTP parser refuses (bad header bytes, broken framing) never reach express: answer them too. */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const title = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
    const body = JSON.stringify({ type: 'about:blank', title, status, detail: 'malformed HTTP request' });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
