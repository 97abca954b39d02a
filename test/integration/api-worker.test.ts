import './api-home.ts';
// With the real worker: provisioning a cluster whose host is unreachable (127.0.0.1 port 1) keeps retrying
// its host check, which holds the cluster lock long enough to see 409, live progress over SSE, and cancel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { homePath } from '../../common/config.ts';
import { FileClusterStore } from '../../common/store.ts';
import { PROVISION_STEPS } from '../../model/plan/index.ts';
import { apiSuite, terminateCluster, unreachableSpec } from './api-harness.ts';

const suite = apiSuite({ worker: true });
const name = `sse-${Date.now().toString(36)}`;
const keyDir = homePath('ssh'); // a key directory by default
fs.mkdirSync(keyDir, { recursive: true });
const keyPath = path.join(keyDir, 'id_ed25519');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyPath]);

after(async () => {
  await terminateCluster(suite.t, name);
  new FileClusterStore().remove(name);
  fs.rmSync(keyDir, { recursive: true, force: true });
});

interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: JSON payloads
  data: any;
}

/** Reads an SSE stream; calls onEvent for each event; resolves with all of them when the server closes it. */
async function readEvents(
  url: string,
  token: string,
  onEvent: (e: SseEvent) => Promise<void>,
): Promise<SseEvent[]> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) {
        const parsed = { event, data: JSON.parse(data) };
        events.push(parsed);
        await onEvent(parsed);
      }
      end = buffer.indexOf('\n\n');
    }
  }
  return events;
}

test(
  'provision: 409 while it runs, live progress over SSE, cancel ends the stream with the result',
  { timeout: 45_000 },
  async () => {
    const { api } = suite;
    assert.equal(api.store.root, new FileClusterStore().root, 'the API and the activities share the store');
    const started = await api.request('POST', '/v1/clusters', { body: unreachableSpec(name, keyPath) });
    assert.equal(started.status, 202, started.text);

    const busy = await api.request('DELETE', `/v1/clusters/${name}`);
    assert.equal(busy.status, 409);
    assert.equal(busy.json.operationId, started.json.operationId);

    let cancelled = false;
    const events = await readEvents(api.url + started.json.events, api.token, async (e) => {
      if (e.event !== 'progress' || cancelled || e.data.hosts.n1?.state !== 'running') return;
      const detail = await api.request('GET', `/v1/clusters/${name}`);
      assert.equal(detail.json.runningOperation.step, 'check hosts');
      assert.equal(detail.json.hosts.n1.state, 'running');
      cancelled = true;
      assert.equal(
        (await api.request('POST', `/v1/operations/${started.json.operationId}/cancel`)).status,
        202,
      );
    });

    const progress = events.filter((e) => e.event === 'progress');
    assert.ok(progress.length >= 1, 'at least one progress event');
    assert.equal(progress[0].data.operation, 'provision');
    assert.equal(progress[0].data.stepsTotal, PROVISION_STEPS.length);
    assert.ok(progress.some((e) => e.data.step === 'check hosts'));
    for (let i = 1; i < progress.length; i++)
      assert.notDeepEqual(progress[i].data, progress[i - 1].data, 'only changes are sent');
    const result = events.at(-1);
    assert.equal(result?.event, 'result');
    assert.equal(result?.data.state, 'cancelled');
    assert.equal(result?.data.progress.phase, 'cancelled');

    const operation = await api.request('GET', `/v1/operations/${started.json.operationId}`);
    assert.equal(operation.json.state, 'cancelled');
    const detail = await api.request('GET', `/v1/clusters/${name}`);
    assert.equal(detail.json.runningOperation, undefined);
    assert.equal(detail.json.lastOperation.kind, 'provision');
    assert.equal(detail.json.phase, 'failed', 'never provisioned');
    const removed = await api.request('DELETE', `/v1/clusters/${name}`);
    assert.equal(removed.status, 202, removed.text);
  },
);
