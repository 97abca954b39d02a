// Concurrent GET /healthz share one look at Temporal (issue 14: 200 probes made 200 calls and took seconds).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app.ts';
import { FileClusterStore } from '../../common/store.ts';
import { TokenStore } from '../../common/tokens.ts';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-healthz');

test('concurrent /healthz probes share one describeTaskQueue and all answer 200', async () => {
  let calls = 0;
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const client = {
    withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn(),
    workflowService: {
      describeTaskQueue: async () => {
        calls++;
        await gate;
        return { pollers: [{ identity: 'worker' }] };
      },
    },
  } as unknown as Client;
  const app = createApp({
    client,
    taskQueue: 'q',
    store: new FileClusterStore(path.join(dir, 'clusters')),
    tokens: new TokenStore(path.join(dir, 'tokens.json')),
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    const replies = Array.from({ length: 20 }, () => fetch(url));
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the other probes arrive meanwhile
    release();
    for (const reply of await Promise.all(replies)) {
      assert.equal(reply.status, 200);
      assert.equal(((await reply.json()) as { status: string }).status, 'ok');
    }
    assert.equal(calls, 1);
  } finally {
    server.close();
  }
});
