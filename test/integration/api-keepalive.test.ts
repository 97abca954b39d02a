// Keep-alive: a client (or a proxy in front of the API, which commonly keeps idle connections for 60 s) that
// reuses a connection after a few idle seconds gets its answer, not a connection the server has just closed.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { apiSuite } from './api-harness.ts';

const suite = apiSuite();

function get(agent: http.Agent, path: string): Promise<{ status: number; reused: boolean; port: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${suite.api.url}${path}`, {
      agent,
      headers: { authorization: `Bearer ${suite.api.token}` },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, port: req.socket?.localPort ?? 0 }),
      );
    });
    req.on('error', reject);
  });
}

test(
  'a keep-alive connection idle for 6 s is still open and answers the next request',
  { timeout: 30_000 },
  async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, '/v1/clusters');
      assert.equal(first.status, 200);
      await new Promise((r) => setTimeout(r, 6000));
      const second = await get(agent, '/v1/clusters');
      assert.equal(second.status, 200);
      assert.ok(second.reused, 'the second request went over the first connection');
      assert.equal(second.port, first.port, 'the same connection');
    } finally {
      agent.destroy();
    }
  },
);
