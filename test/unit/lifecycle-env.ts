// Imported first by store-backed unit tests: a private ZKE_HOME and keyring, removed on exit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zke-lifecycle-'));
process.env.ZKE_HOME = path.join(dir, 'home');
process.env.ZKE_KEYRING = path.join(dir, 'keyring.json');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
