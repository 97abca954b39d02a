// Embedded mode: with no zke API to talk to, the CLI runs what `npm start` runs, inside itself: the pinned
// Temporal dev server on ZKE_HOME's SQLite file (it dies with this process), a worker, and the API on a
// loopback port with a token made for this run. Commands then behave exactly as against a server, and the
// state stays where `npm start` finds it.
import fs from 'node:fs';
import path from 'node:path';
import { config, homePath } from '../common/config.ts';
import { type DevServer, startDevServer, waitForFrontend } from '../scripts/devServer.ts';
import { ApiClient, ApiUnreachable } from './api-client.ts';

export interface Embedded {
  client: ApiClient;
  /** What runs where, for the line that says which mode is used. */
  description: string;
  close(): Promise<void>;
}

/** The Temporal CLI `npm start` installs (scripts/ensure-tools.sh), or TEMPORAL_CLI. */
export function temporalCli(): string {
  const tools = process.env.ZKE_TOOLS || homePath('tools');
  return process.env.TEMPORAL_CLI || path.join(tools, 'py', 'bin', 'temporal');
}

/** Records which zke process runs the dev server at an address, so others can tell when it is gone. */
const ownerFile = () => homePath('embedded.json');

export async function startEmbedded(): Promise<Embedded> {
  fs.mkdirSync(homePath('logs'), { recursive: true, mode: 0o700 });
  const cleanup: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };
  try {
    const keeper = new ServerKeeper(config.temporalAddress);
    const where = await keeper.ensure();
    cleanup.push(() => keeper.stop());
    const worker = await startWorker();
    cleanup.push(worker.stop);
    const api = await startApi();
    cleanup.push(api.stop);
    keeper.watch();
    const description = `${where} (state in ${config.home}: temporal.db, clusters/), a worker in this process (log ${logFile()})`;
    return { client: api.client, description, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const logFile = () => homePath('logs', 'embedded.log');

async function reachable(address: string): Promise<boolean> {
  return waitForFrontend(address, 0).then(
    () => true,
    () => false,
  );
}

/** Polls `done` every 250 ms for up to `timeoutMs`; its last answer. */
async function within(timeoutMs: number, done: () => Promise<boolean>): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return done();
}

/**
 * A Temporal server at `address` for as long as this process runs: the one already there (npm start's, or
 * another zke's), else one it starts. When the zke whose server it uses exits, its server goes too; then this
 * one starts its own at the same address, and the worker and the API reconnect by themselves.
 */
class ServerKeeper {
  private server?: DevServer;
  /** The zke process whose server this one uses, if it is a zke's. */
  private reliedOn?: number;
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(private readonly address: string) {}

  /** Returns where the server is, for the mode line. */
  async ensure(): Promise<string> {
    const owner = readOwner();
    if (owner && !alive(owner.pid)) await within(20_000, async () => !(await reachable(this.address)));
    if (await reachable(this.address)) {
      this.reliedOn = readOwner()?.pid;
      return `the Temporal server already running at ${this.address}`;
    }
    try {
      this.server = await startDevServer({
        cli: installedCli(),
        dbFile: homePath('temporal.db'),
        port: Number(this.address.split(':').pop()),
        logFile: homePath('logs', 'temporal.log'),
        tiedToParent: true,
      });
    } catch (error) {
      if (!(await reachable(this.address))) throw error;
      this.reliedOn = readOwner()?.pid; // another zke started it at the same moment
      return `the Temporal server just started at ${this.address}`;
    }
    fs.writeFileSync(ownerFile(), JSON.stringify({ pid: process.pid, address: this.address }), {
      mode: 0o600,
    });
    this.reliedOn = undefined;
    return `started the Temporal dev server at ${this.address}`;
  }

  watch(): void {
    this.timer = setInterval(() => void this.takeOverWhenOwnerGone(), 1000);
    this.timer.unref();
  }

  private async takeOverWhenOwnerGone(): Promise<void> {
    if (this.server || this.reliedOn === undefined || alive(this.reliedOn) || this.checking) return;
    this.checking = true;
    try {
      await within(20_000, async () => !(await reachable(this.address)));
      await this.ensure();
    } catch {
      // tried again on the next tick
    } finally {
      this.checking = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    if (!this.server) return;
    await this.server.stop();
    if (readOwner()?.pid === process.pid) fs.rmSync(ownerFile(), { force: true });
  }
}

/** The Temporal CLI, or a clear error saying how to get it. */
function installedCli(): string {
  const cli = temporalCli();
  if (fs.existsSync(cli)) return cli;
  throw new ApiUnreachable(
    `no zke API is reachable and embedded mode needs the Temporal CLI at ${cli}, which is not there. ` +
      'Install it with `npm start` (it installs the pinned CLI into ZKE_HOME/tools, then Ctrl-C), ' +
      'or set TEMPORAL_CLI; or run `npm start` and set ZKE_TOKEN to use the API instead.',
  );
}

function readOwner(): { pid: number; address: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(ownerFile(), 'utf8'));
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The worker, its SDK log (bundler output included) in ZKE_HOME/logs, not on the terminal. */
async function startWorker(): Promise<{ stop: () => Promise<void> }> {
  const { startInProcessWorker } = await import('../scripts/inProcess.ts');
  return startInProcessWorker(logFile());
}

/** The API on 127.0.0.1 (a free port), with a token of this run's own kept outside ZKE_HOME's tokens. */
async function startApi(): Promise<{ client: ApiClient; stop: () => Promise<void> }> {
  const { startInProcessApi } = await import('../scripts/inProcess.ts');
  const api = await startInProcessApi();
  return { client: new ApiClient(api.url, api.token, 'embedded'), stop: api.stop };
}
