// Runtime settings from the environment, with the defaults `npm start` uses.
import os from 'node:os';
import path from 'node:path';

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** Read on every access, so a test or tool may set the environment after this module loads. */
export const config = {
  /** State directory: Temporal's SQLite file, tools, encrypted cluster store, keys. */
  get home() {
    return path.resolve(env('ZKE_HOME', '.zke'));
  },
  get temporalAddress() {
    return env('TEMPORAL_ADDRESS', '127.0.0.1:7233');
  },
  get namespace() {
    return env('TEMPORAL_NAMESPACE', 'default');
  },
  get taskQueue() {
    return env('ZKE_TASK_QUEUE', 'zke');
  },
  get apiHost() {
    return env('ZKE_API_HOST', '127.0.0.1');
  },
  get apiPort() {
    return Number(env('ZKE_API_PORT', '8080'));
  },
  get uiPort() {
    return Number(env('TEMPORAL_UI_PORT', '8233'));
  },
  /** Bound on each Temporal call the API makes: past it the request answers 503. */
  get temporalDeadlineMs() {
    return Number(env('ZKE_TEMPORAL_DEADLINE_MS', '5000'));
  },
  /** PEM files for mTLS to the Temporal frontend (see temporalTls in common/temporal.ts); unset: plain. */
  get temporalTls() {
    const tls = (name: string) => process.env[`ZKE_TEMPORAL_TLS_${name}`] || undefined;
    return { ca: tls('CA'), cert: tls('CERT'), key: tls('KEY'), serverName: tls('SERVER_NAME') };
  },
  /** The Temporal Web UI the API serves under /temporal-ui, for token holders only (api/temporalUi.ts); unset: none. */
  get temporalUiUrl() {
    return env('ZKE_TEMPORAL_UI_URL', '');
  },
  /** Directories an API-submitted `ssh_key_path` must lie in (comma-separated). */
  get sshKeyDirs() {
    return list(env('ZKE_SSH_KEY_DIRS', `${path.join(os.homedir(), '.ssh')},${homePath('ssh')}`));
  },
  /** Directories the image archives named to `POST …/images/load` must lie in (comma-separated). */
  get imageDirs() {
    return list(env('ZKE_IMAGE_DIRS', homePath('images')));
  },
  /** CIDRs allowed as node addresses although loopback, unspecified or link-local (comma-separated). */
  get allowedNodeCidrs() {
    return list(env('ZKE_ALLOWED_NODE_CIDRS', ''));
  },
};

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

export function homePath(...parts: string[]): string {
  return path.join(config.home, ...parts);
}
