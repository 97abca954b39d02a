// API test harness: the real app on an ephemeral port, against the test Temporal server, with its own
// ZKE_HOME-like directory (tokens, cluster store, audit log) and an injectable task queue.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before } from 'node:test';
import { type ApiDeps, createApp } from '../../api/app.ts';
import { serveApi } from '../../api/http/server.ts';
import { AuditLog } from '../../api/service/audit.ts';
import { type ClusterStore, FileClusterStore } from '../../common/store.ts';
import { TokenStore } from '../../common/tokens.ts';
import { tempDir } from '../support/tempDir.ts';
import { startTestWorker, type TestTemporal, testTemporal } from '../support/temporal.ts';

// The test specs' host is 127.0.0.1 on purpose (nothing listens on port 1): allowed here as an operator
// would allow it (loopback is refused by default, see common/hostPolicy.ts).
process.env.ZKE_ALLOWED_NODE_CIDRS = '127.0.0.1/32';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience for JSON bodies
  json: any;
}

export interface RequestOptions {
  body?: string | object;
  type?: string;
  token?: string | null;
}

export interface TestApi {
  url: string;
  token: string;
  home: string;
  tokens: TokenStore;
  store: FileClusterStore;
  audit: AuditLog;
  taskQueue: string;
  request(method: string, path: string, options?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

/**
 * Starts the API. Without `taskQueue`, workflows go to a fresh queue no worker polls: they stay running and
 * idle, and status queries are cut short (nobody could answer them). `deps` overrides the app's dependencies.
 */
export async function startApi(
  t: TestTemporal,
  taskQueue?: string,
  deps: Partial<ApiDeps> = {},
): Promise<TestApi> {
  const home = tempDir('zke-api');
  const tokens = new TokenStore(path.join(home, 'tokens.json'));
  const token = tokens.create('test');
  // With a worker, the activities' store (ZKE_HOME, see api-home.ts); else a private one.
  const store =
    (deps.store as FileClusterStore | undefined) ??
    (taskQueue ? new FileClusterStore() : new FileClusterStore(path.join(home, 'clusters')));
  const audit = new AuditLog(path.join(home, 'audit.log'));
  const queryTimeoutMs = taskQueue ? 5000 : 100;
  taskQueue ??= `api-idle-${randomUUID()}`;
  const app = createApp({ client: t.client, taskQueue, store, tokens, audit, queryTimeoutMs, ...deps });
  const server = serveApi(app, 0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request = async (method: string, urlPath: string, options: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = {};
    const authToken = options.token === undefined ? token : options.token;
    if (authToken !== null) headers.authorization = `Bearer ${authToken}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] =
        options.type ?? (typeof options.body === 'string' ? 'application/yaml' : 'application/json');
    }
    const res = await fetch(url + urlPath, { method, headers, body });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  return {
    url,
    token,
    home,
    tokens,
    store,
    audit,
    taskQueue,
    request,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A valid single-node spec whose host is unreachable (127.0.0.1 port 1): provisioning keeps retrying. */
export function unreachableSpec(name: string, keyPath = '~/.ssh/id_rsa'): string {
  return [
    `cluster_name: ${name}`,
    'nodes:',
    '  - address: 127.0.0.1',
    '    name: n1',
    '    roles: [etcd, controlplane, worker]',
    '    port: 1',
    `    ssh_key_path: ${keyPath}`,
    '',
  ].join('\n');
}

/** Stops every operation the test left running on a cluster (terminate: no worker may be polling). */
export async function terminateCluster(t: TestTemporal, cluster: string): Promise<void> {
  try {
    await t.client.workflow.getHandle(`zke/${cluster}`).terminate('test cleanup');
  } catch {
    // not running
  }
}

export interface ApiSuite {
  t: TestTemporal;
  api: TestApi;
  /** Settles once the suite's own before hook has: a file's other hooks await it before using `t` or `api`. */
  ready: Promise<void>;
}

/** Registers before/after hooks that start Temporal's client and the API for the file's tests (none when skip). */
export function apiSuite(options: { worker?: boolean; activities?: object; skip?: string } = {}): ApiSuite {
  let settle: (error?: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  ready.catch(() => {}); // awaited by the hooks that need it; this hook reports its own failure
  const suite = { ready } as ApiSuite;
  let worker: { taskQueue: string; stop(): Promise<void> } | undefined;
  before(async () => {
    if (options.skip) return settle();
    try {
      suite.t = await testTemporal();
      if (options.worker) worker = await startTestWorker(suite.t, options.activities);
      suite.api = await startApi(suite.t, worker?.taskQueue);
      settle();
    } catch (error) {
      settle(error);
      throw error;
    }
  });
  after(async () => {
    await suite.api?.close();
    await worker?.stop();
    await suite.t?.close();
  });
  return suite;
}
