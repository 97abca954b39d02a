// The zke REST API process.
import { fileURLToPath } from 'node:url';
import { config } from '../common/config.ts';
import { openTokenStore } from '../common/stores.ts';
import { connectClient } from '../common/temporal.ts';
import { firstStartToken } from '../common/tokens.ts';
import { createApp } from './app.ts';
import { serveApi } from './http/server.ts';

async function main(): Promise<void> {
  const client = await connectClient();
  const token = firstStartToken(openTokenStore());
  if (token)
    console.log(
      `zke API: first start; created token "admin" (shown only this once):\n  ${token}\nexport ZKE_TOKEN=${token}`,
    );
  const app = createApp({ client });
  const server = serveApi(app, config.apiPort, config.apiHost);
  server.once('listening', () =>
    console.log(`zke API listening on http://${config.apiHost}:${config.apiPort}`),
  );
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
