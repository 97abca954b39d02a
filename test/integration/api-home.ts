// Imported first (as a side effect) by API tests that run the real worker: the API and the activities then
// share one cluster store in a scratch ZKE_HOME, set before common/config.ts reads the environment.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

process.env.ZKE_HOME ??= fs.mkdtempSync(path.join(os.tmpdir(), 'zke-api-home-'));
