// The floor of the API scenario: a bare node:http server answering every request at once with a JSON body of
// FLOOR_BYTES bytes (the listing's size). The same bursts against it show what the machine and the client cost.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = JSON.stringify({ pad: 'x'.repeat(Math.max(0, Number(process.env.FLOOR_BYTES ?? 0) - 10)) });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
