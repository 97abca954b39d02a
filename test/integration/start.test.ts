// `npm start` smoke: it serves /healthz, runs workflows, and keeps them across a restart (SQLite).
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../common/temporal.ts';
import { stopProcess } from '../../scripts/devServer.ts';
import { tempDir } from '../support/tempDir.ts';

const home = tempDir('zke-start');
const ports = { temporal: 27233, ui: 28233, api: 28080 };
const env = {
  ...process.env,
  ZKE_HOME: home,
  ZKE_TOOLS: path.resolve('.zke/tools'),
  ZKE_KEYRING: path.join(home, 'keys', 'payload-keyring.json'),
  TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
  TEMPORAL_UI_PORT: String(ports.ui),
  ZKE_API_PORT: String(ports.api),
};
let running: ChildProcess | undefined;

after(async () => {
  if (running) await stopProcess(running, 15_000);
  fs.rmSync(home, { recursive: true, force: true });
});

function npmStart(): ChildProcess {
  const log = fs.openSync(path.join(home, 'start.log'), 'a');
  return spawn('bash', ['scripts/start.sh'], { env, stdio: ['ignore', log, log] });
}

async function waitHealthy(timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.api}/healthz`);
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status === 200) return body;
      last = JSON.stringify(body);
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `not healthy after ${timeoutMs} ms: ${last}\n${fs.readFileSync(path.join(home, 'start.log'), 'utf8')}`,
  );
}

function listedWorkflowIds(): string[] {
  const cli = path.resolve('.zke/tools/py/bin/temporal');
  const out = execFileSync(cli, ['workflow', 'list', '--address', env.TEMPORAL_ADDRESS, '--output', 'json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(out || '[]') as { execution: { workflowId: string } }[]).map(
    (w) => w.execution.workflowId,
  );
}

test(
  'npm start serves health, runs a workflow, and keeps it across a restart',
  { timeout: 240_000 },
  async () => {
    running = npmStart();
    const health = await waitHealthy(120_000);
    assert.equal((health.worker as { polling: boolean }).polling, true);
    assert.equal((health.temporal as { reachable: boolean }).reachable, true);

    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    assert.equal(ui.status, 200, 'Temporal Web UI answers');

    // Same keyring as the service, so this client can read the encrypted payloads.
    process.env.ZKE_KEYRING = env.ZKE_KEYRING;
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const client = new Client({ connection, dataConverter: dataConverter() });
    const workflowId = `smoke-${Date.now()}`;
    assert.deepEqual(
      await client.workflow.execute('probeHosts', { taskQueue: 'zke', workflowId, args: [[]] }),
      [],
    );
    await connection.close();
    assert.ok(listedWorkflowIds().includes(workflowId), 'workflow listed while running');

    await stopProcess(running, 15_000);
    running = npmStart();
    await waitHealthy(120_000);
    assert.ok(
      listedWorkflowIds().includes(workflowId),
      'workflow still listed after restart (SQLite persisted)',
    );
  },
);
