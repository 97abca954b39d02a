// npm start supervisor: Temporal dev server (SQLite under ZKE_HOME, Web UI), then the worker and the API.
// Ctrl-C / SIGTERM stops every child; the next start reuses the same SQLite file.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { firstStartToken, TokenStore } from '../api/auth/tokens.ts';
import { renewCodecToken } from '../api/codec.ts';
import { config, homePath } from '../common/config.ts';
import { startDevServer, stopProcess } from './devServer.ts';

const children: ChildProcess[] = [];
let stopping = false;

function spawnNode(script: string, name: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit', env: process.env });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`zke: ${name} exited (${code ?? signal}); stopping everything`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of [...children].reverse()) await stopProcess(child);
  process.exit(code);
}

/** Prints the admin token on the very first start; renews the Web UI's decode-only codec token. */
function codecToken(): string {
  const tokens = new TokenStore();
  const admin = firstStartToken(tokens);
  if (admin)
    console.log(
      `zke: first start; created API token "admin" (shown only this once):\n  export ZKE_TOKEN=${admin}`,
    );
  return renewCodecToken(tokens);
}

async function main(): Promise<void> {
  fs.mkdirSync(config.home, { recursive: true, mode: 0o700 });
  const [, port] = config.temporalAddress.split(':');
  console.log(`zke: starting Temporal dev server (state ${homePath('temporal.db')})`);
  const codecEndpoint = `http://${config.apiHost}:${config.apiPort}/codec/${codecToken()}`;
  const server = await startDevServer({
    cli: process.env.TEMPORAL_CLI ?? homePath('tools', 'py', 'bin', 'temporal'),
    dbFile: homePath('temporal.db'),
    port: Number(port),
    uiPort: config.uiPort,
    logFile: homePath('temporal.log'),
    codecEndpoint,
  });
  children.push(server.process);
  server.process.once('exit', () => !stopping && void shutdown(1));
  spawnNode('worker/main.ts', 'worker');
  spawnNode('api/main.ts', 'API');
  console.log(
    [
      '',
      `  zke API         http://${config.apiHost}:${config.apiPort}   (health: /healthz, docs: /docs)`,
      `  Temporal UI     http://127.0.0.1:${config.uiPort}`,
      `  Temporal gRPC   ${server.address}`,
      `  state           ${config.home}`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

process.once('SIGINT', () => void shutdown(0));
process.once('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  console.error(`zke: start failed: ${err.message}`);
  void shutdown(1);
});
