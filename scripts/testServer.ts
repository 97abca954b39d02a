// One Temporal dev server for a whole test run: writes its address to <dir>/address, stops on SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { startDevServer } from './devServer.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: testServer.ts DIR');
const server = await startDevServer({
  cli: process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal'),
  dbFile: path.join(dir, 'temporal.db'),
  port: 17233,
  logFile: path.join(dir, 'temporal.log'),
});
fs.writeFileSync(path.join(dir, 'address'), server.address);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
