import './api-home.ts';
// What a person sees in a browser (Debian's headless Chromium): /docs renders the API reference offline, and
// the Temporal Web UI shows a provision workflow with readable step names. Activity summaries ("etcd plane ·
// n1") are encrypted payloads: the UI reads them through zke's codec endpoint (a decode-only token), as with
// npm start. Screenshots: test-artifacts/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe } from 'node:test';
import express from 'express';
import { codecRouter } from '../../api/codec.ts';
import { FileClusterStore } from '../../common/store.ts';
import { TokenStore } from '../../common/tokens.ts';
import { type DevServer, startDevServer } from '../../scripts/devServer.ts';
import { clusterWorkflowId } from '../../workflows/types.ts';
import { Browser, deadline, ensureChromium } from '../support/browser.ts';
import { fakeHosts, REFUSED } from '../support/fakeHosts.ts';
import { freePort } from '../support/freePort.ts';
import { skipping } from '../support/skipping.ts';
import { tempDir } from '../support/tempDir.ts';
import { apiSuite, terminateCluster } from './api-harness.ts';

const artifacts = path.resolve('test-artifacts');
const cluster = `ui-${Date.now().toString(36)}`;
const failing = `${cluster}-f`;

async function listen(server: net.Server): Promise<number> {
  if (!server.listening) server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

/** A port free right now (the dev server binds it a moment later). */
const skip = ensureChromium();

describe('browser', () => {
  const { it: test, before, after } = skipping(skip); // each test skips, counted
  let scratch = '';
  let server: DevServer;
  let codec: net.Server;
  let uiPort: number;
  let browser: Browser;

  // Before apiSuite's hook: its Temporal client then connects to this server, which has the Web UI.
  before(async () => {
    scratch = tempDir('zke-browser');
    const tokens = new TokenStore(path.join(scratch, 'tokens.json'));
    codec = express().use(codecRouter(tokens)).listen(0, '127.0.0.1');
    const codecEndpoint = `http://127.0.0.1:${await listen(codec)}/codec/${tokens.create('ui', 'codec')}`;
    uiPort = await freePort();
    server = await startDevServer({
      cli: process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal'),
      dbFile: path.join(scratch, 'temporal.db'),
      port: await freePort(),
      uiPort,
      logFile: path.join(scratch, 'temporal.log'),
      codecEndpoint,
    });
    process.env.ZKE_TEST_TEMPORAL = server.address;
    browser = await Browser.launch(1440, 1400);
  });
  const suite = apiSuite({ worker: true, activities: fakeHosts, skip });
  after(async () => {
    await terminateCluster(suite.t, cluster);
    new FileClusterStore().remove(cluster);
    new FileClusterStore().remove(failing);
    await browser?.close();
    await server?.stop();
    codec?.close();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('/docs renders the API reference from /openapi.json, offline', { timeout: 60_000 }, async (t) => {
    await browser.goto(`${suite.api.url}/docs#token=${suite.api.token}`);
    const file = path.join(artifacts, 'docs.png');
    const text = await browser
      .waitForText(
        ['zke API reference', '/v1/clusters', '/v1/clusters/{name}', '/v1/operations/{id}', 'Schemas'],
        20_000,
      )
      .finally(() => browser.screenshot(file));
    for (const section of ['clusters', 'operations', 'schedules', 'lifecycle'])
      assert.match(text, new RegExp(`^${section}$`, 'm'), `section ${section}`);
    assert.match(text, /POST\s+\/v1\/clusters\s+Create a cluster/i);
    t.diagnostic(`screenshot: ${file}`);
  });

  test(
    'the Temporal Web UI shows a provision workflow with readable step names',
    { timeout: 90_000 },
    async (t) => {
      const spec = `cluster_name: ${cluster}\nnodes:\n  - address: 10.0.0.1\n    name: n1\n    roles: [etcd, controlplane, worker]\n`;
      const created = await suite.api.request('POST', '/v1/clusters', { body: spec });
      assert.equal(created.status, 202, created.text);
      const workflowId = clusterWorkflowId(cluster);
      const runId = created.json.operationId.slice(cluster.length + 1);
      const result = await deadline(
        suite.t.client.workflow.getHandle(workflowId, runId).result(),
        30_000,
        'provision',
      );
      assert.equal(result.summary, 'provision succeeded');

      // Activity types, and their summaries and the result: payloads only the codec endpoint can decrypt.
      const wanted = ['COMPLETED', 'checkClusterHost', 'reconcileHost', '"phase": "succeeded"'];
      wanted.push(
        ...['check hosts', 'deploy certificates', 'etcd plane', 'control plane', 'worker plane'].map(
          (s) => `${s} · n1`,
        ),
      );
      const base = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}`;
      // The timeline, then the event history in its compact view (one row per activity, with its summary).
      for (const [view, button] of [['timeline'], ['history', 'Compact']]) {
        await browser.goto(`${base}/${view}`);
        if (button) await browser.click(button, 20_000);
        const file = path.join(artifacts, `temporal-ui-${view}.png`);
        await browser.waitForText(wanted, 40_000).finally(() => browser.screenshot(file));
        t.diagnostic(`screenshot: ${file} (${base}/${view})`);
      }
    },
  );

  test("the Web UI's event history shows a failure's real message", { timeout: 90_000 }, async (t) => {
    const spec = `cluster_name: ${failing}\nnodes:\n  - address: 10.0.0.9\n    name: refuses\n    roles: [etcd, controlplane, worker]\n`;
    const created = await suite.api.request('POST', '/v1/clusters', { body: spec });
    assert.equal(created.status, 202, created.text);
    const workflowId = clusterWorkflowId(failing);
    const runId = created.json.operationId.slice(failing.length + 1);
    await assert.rejects(
      deadline(suite.t.client.workflow.getHandle(workflowId, runId).result(), 30_000, 'provision'),
    );
    const base = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}`;
    await browser.goto(`${base}/history`);
    await browser.click('All', 20_000); // the previous test left the compact view on
    const file = path.join(artifacts, 'temporal-ui-failure.png');
    // The rows of the activity failure and of the workflow failure ("Failure Message …").
    const wanted = [
      'Activity Task Failed',
      'Workflow Execution Failed',
      REFUSED,
      `check hosts failed on 1 host(s): refuses: ${REFUSED}`,
    ];
    const text = await browser.waitForText(wanted, 40_000).finally(() => browser.screenshot(file));
    assert.doesNotMatch(text, /Encoded failure/);
    t.diagnostic(`screenshot: ${file} (${base}/history)`);
  });
});
