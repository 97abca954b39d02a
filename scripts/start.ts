// npm start supervisor: Temporal dev server (SQLite under ZKE_HOME, Web UI), then the worker and the API.
// Their output goes to ZKE_HOME/logs/<child>.log; the terminal gets the URLs, one line per operation event (sent
// by the worker) and one per child that died and is restarted (with backoff: the others keep running).
// Ctrl-C / SIGTERM stops every child; the next start reuses the same SQLite file.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { renewCodecToken } from '../api/codec.ts';
import { config, homePath } from '../common/config.ts';
import { failureSummary } from '../common/failureConverter.ts';
import { openTokenStore } from '../common/stores.ts';
import { firstStartToken } from '../common/tokens.ts';
import type { OperationEventMessage } from '../worker/main.ts';
import { openPrivateLog, startDevServer } from './devServer.ts';
import { Supervised } from './supervised.ts';

const children: Supervised[] = [];
let stopping = false;

const say = (line: string) => console.log(`zke: ${line}`);
const logFile = (name: string) => homePath('logs', `${name}.log`);

/** A node child with its output in its log file and an IPC channel for operation events. */
function spawnNode(script: string, log: string): ChildProcess {
  const fd = openPrivateLog(log);
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    stdio: ['ignore', fd, fd, 'ipc'],
    env: process.env,
  });
  fs.closeSync(fd);
  child.on('message', (m: OperationEventMessage) => say(`${m.operation}: ${failureSummary(m.event)}`));
  return child;
}

function supervise(name: string, log: string, launch: () => Promise<ChildProcess>): Supervised {
  const child = new Supervised(name, launch, log, say);
  children.push(child);
  return child;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.keepDown();
  for (const child of [...children].reverse()) await child.stop();
  process.exit(code);
}

/** ZKE_HOME and its logs: readable by their owner only, also when an older start created them wider. */
function privateDirectories(): void {
  for (const dir of [config.home, homePath('logs')]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
}

/** Prints the admin token on the very first start; renews the Web UI's decode-only codec token. */
function codecToken(): string {
  const tokens = openTokenStore();
  const admin = firstStartToken(tokens);
  if (admin)
    console.log(
      `zke: first start; created API token "admin" (shown only this once):\n  export ZKE_TOKEN=${admin}`,
    );
  return renewCodecToken(tokens);
}

async function main(): Promise<void> {
  privateDirectories();
  const [, port] = config.temporalAddress.split(':');
  say(`starting Temporal dev server (state ${homePath('temporal.db')}, logs in ${homePath('logs')})`);
  const codecEndpoint = `http://${config.apiHost}:${config.apiPort}/codec/${codecToken()}`;
  const temporalOptions = {
    cli: process.env.TEMPORAL_CLI ?? homePath('tools', 'py', 'bin', 'temporal'),
    dbFile: homePath('temporal.db'),
    port: Number(port),
    uiPort: config.uiPort,
    logFile: logFile('temporal'),
    codecEndpoint,
  };
  supervise('Temporal dev server', logFile('temporal'), async () => {
    return (await startDevServer(temporalOptions)).process;
  });
  supervise('worker', logFile('worker'), async () => spawnNode('worker/main.ts', logFile('worker')));
  supervise('API', logFile('api'), async () => spawnNode('api/main.ts', logFile('api')));
  for (const child of children) await child.start();
  console.log(
    [
      '',
      `  zke API         http://${config.apiHost}:${config.apiPort}   (health: /healthz, docs: /docs)`,
      `  Temporal UI     http://127.0.0.1:${config.uiPort}`,
      `  Temporal gRPC   ${config.temporalAddress}`,
      `  state           ${config.home}`,
      `  logs            ${homePath('logs')}   (temporal.log, worker.log, api.log)`,
      '',
      'Operations show here as they run. Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  console.error(`zke: start failed: ${err.message}`);
  void shutdown(1);
});
