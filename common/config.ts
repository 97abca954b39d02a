// Runtime settings from the environment, with the defaults `npm start` uses.
import path from 'node:path';

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

export const config = {
  /** State directory: Temporal's SQLite file, tools, encrypted cluster store, keys. */
  home: path.resolve(env('ZKE_HOME', '.zke')),
  temporalAddress: env('TEMPORAL_ADDRESS', '127.0.0.1:7233'),
  namespace: env('TEMPORAL_NAMESPACE', 'default'),
  taskQueue: env('ZKE_TASK_QUEUE', 'zke'),
  apiHost: env('ZKE_API_HOST', '127.0.0.1'),
  apiPort: Number(env('ZKE_API_PORT', '8080')),
  uiPort: Number(env('TEMPORAL_UI_PORT', '8233')),
};

export function homePath(...parts: string[]): string {
  return path.join(config.home, ...parts);
}
