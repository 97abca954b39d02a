// Debian's headless Chromium driven over the DevTools protocol on --remote-debugging-pipe (fds 3 and 4:
// NUL-separated JSON), so no websocket client or npm dependency is needed. Every call has a deadline.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { tempDir } from './tempDir.ts';

export const CHROMIUM = process.env.ZKE_CHROMIUM ?? 'chromium';

const run = (cmd: string, args: string[], timeout: number) =>
  spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });

/**
 * Installs Debian's chromium when it is missing (as scripts/test.sh does); returns why it cannot run, or
 * undefined when `chromium --version` works.
 */
export function ensureChromium(): string | undefined {
  if (run(CHROMIUM, ['--version'], 30_000).status === 0) return undefined;
  const install = [
    '-o',
    'DPkg::Lock::Timeout=300',
    '-y',
    '-qq',
    '--no-install-recommends',
    'install',
    'chromium',
  ];
  let r = run('apt-get', install, 600_000);
  if (
    r.status !== 0 &&
    run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', '-qq', 'update'], 300_000).status === 0
  )
    r = run('apt-get', install, 600_000);
  if (run(CHROMIUM, ['--version'], 30_000).status === 0) return undefined;
  const how = r.status === 0 ? 'installed chromium' : `failed: ${r.error?.message ?? r.stderr.slice(-500)}`;
  return `\`${CHROMIUM} --version\` fails and apt-get install chromium ${how}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rejects with `what` once ms have passed; the timer never holds the process. */
export function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class Browser {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private sessionId = '';
  private stderr = '';

  private constructor(
    private readonly proc: ChildProcess,
    private readonly profile: string,
  ) {
    let buffer = '';
    const output = proc.stdio[4] as Readable;
    output.setEncoding('utf8'); // whole characters even when a chunk splits one
    output.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\0'); i >= 0; i = buffer.indexOf('\0')) {
        this.receive(JSON.parse(buffer.slice(0, i)));
        buffer = buffer.slice(i + 1);
      }
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    const gone = (why: string) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium ${why}`));
      this.pending.clear();
    };
    proc.once('exit', (code, signal) => gone(`exited (${code ?? signal})`));
    proc.once('error', (err) => gone(`failed: ${err.message}`));
    (proc.stdio[3] as Writable).on('error', () => undefined); // EPIPE once it has exited: see 'exit'
  }

  /** Starts Chromium with a fresh profile and opens one page of the given size. */
  static async launch(width = 1440, height = 1000): Promise<Browser> {
    const profile = tempDir('zke-chromium');
    const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];
    args.push('--no-first-run', '--remote-debugging-pipe', `--user-data-dir=${profile}`);
    args.push(`--window-size=${width},${height}`, 'about:blank');
    const proc = spawn(CHROMIUM, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const browser = new Browser(proc, profile);
    try {
      const { targetId } = await browser.send<{ targetId: string }>('Target.createTarget', {
        url: 'about:blank',
      });
      const attached = await browser.send<{ sessionId: string }>('Target.attachToTarget', {
        targetId,
        flatten: true,
      });
      browser.sessionId = attached.sessionId;
      await browser.send('Emulation.setDeviceMetricsOverride', {
        width,
        height,
        deviceScaleFactor: 1,
        mobile: false,
      });
      return browser;
    } catch (err) {
      await browser.close();
      throw new Error(`chromium did not start: ${(err as Error).message}\n${browser.stderr}`);
    }
  }

  send<T = unknown>(method: string, params: object = {}, timeoutMs = 15_000): Promise<T> {
    const id = this.nextId++;
    const message = { id, method, params, ...(this.sessionId ? { sessionId: this.sessionId } : {}) };
    const answer = new Promise<T>((resolve, reject) =>
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }),
    );
    (this.proc.stdio[3] as Writable).write(`${JSON.stringify(message)}\0`);
    return deadline(answer, timeoutMs, `chromium ${method}`).finally(() => this.pending.delete(id));
  }

  private receive(msg: { id?: number; result?: unknown; error?: { message: string } }): void {
    const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
    if (msg.error) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result);
  }

  /** Clicks the first button whose text is `label`, once there is one. */
  async click(label: string, timeoutMs: number): Promise<void> {
    const expression = `(() => { const b = [...document.querySelectorAll('button')].find((e) => e.innerText.trim() === ${JSON.stringify(label)}); b?.click(); return !!b; })()`;
    await this.until(
      timeoutMs,
      async () => (await this.evaluate(expression)) || undefined,
      () => `no button "${label}"`,
    );
  }

  async goto(url: string): Promise<void> {
    const r = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (r.errorText) throw new Error(`navigate ${url}: ${r.errorText}`);
  }

  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value: T } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
    });
    return r.result.value;
  }

  /** Polls the rendered text (after the page's scripts ran) until it has every wanted string. */
  async waitForText(wanted: readonly string[], timeoutMs: number): Promise<string> {
    let text = '';
    const found = async () => {
      text = await this.evaluate<string>('document.body ? document.body.innerText : ""');
      return wanted.every((w) => text.includes(w)) ? text : undefined;
    };
    const missing = () =>
      `page lacks ${JSON.stringify(wanted.filter((w) => !text.includes(w)))}; it shows:\n${text.slice(0, 3000)}`;
    return this.until(timeoutMs, found, missing);
  }

  /** Calls probe every 250 ms until it returns a value; past the deadline, fails saying why. */
  private async until<T>(
    timeoutMs: number,
    probe: () => Promise<T | undefined>,
    why: () => string,
  ): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`after ${timeoutMs} ms: ${why()}`);
      await sleep(250);
    }
  }

  /** A PNG of the viewport (the Temporal UI scrolls inside it: a tall window shows more). */
  async screenshot(file: string): Promise<void> {
    const { data } = await this.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(data, 'base64'));
  }

  /** Browser.close, then SIGKILL to the browser's process group if it is still there after 5 s. */
  async close(): Promise<void> {
    const proc = this.proc;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      this.sessionId = '';
      await this.send('Browser.close', {}, 5000).catch(() => undefined);
      await deadline(exited, 5000, 'chromium exit').catch(() => {
        try {
          process.kill(-(proc.pid as number), 'SIGKILL');
        } catch {
          // already gone
        }
      });
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}
