// Imported first (as a side effect) by API tests that run the real worker: the API and the activities then
// share one cluster store in a scratch ZKE_HOME, set before common/config.ts reads the environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

if (!process.env.ZKE_HOME) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'zke-api-home-'));
  process.env.ZKE_HOME = home;
  process.on('exit', () => fs.rmSync(home, { recursive: true, force: true }));
}
