// The API's HTTP server: idle keep-alive connections live longer than a proxy's or load balancer's (60 s is
// common), so a client never reuses one the server has just closed; malformed requests get a problem answer.
import http, { type Server } from 'node:http';
import type { Express } from 'express';
import { answerMalformedRequests } from '../problem.ts';
import type { FastPath } from './fastPath.ts';

/** How long an idle keep-alive connection stays open (Node's default is 5 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Listens on host:port; the server's 'listening' event says when it is ready. */
export function serveApi(app: Express & { fastPath?: FastPath }, port: number, host: string): Server {
  const server = http.createServer((req, res) => {
    const toApp = () => app(req, res);
    if (app.fastPath) app.fastPath(req, res, toApp);
    else toApp();
  });
  server.listen(port, host);
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // must exceed keepAliveTimeout, or a request arriving on a long-idle connection can be cut off
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  answerMalformedRequests(server);
  return server;
}
