// Imported first by store-backed unit tests: a private ZKE_HOME and keyring, removed on exit.
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-lifecycle');
process.env.ZKE_HOME = path.join(dir, 'home');
process.env.ZKE_KEYRING = path.join(dir, 'keyring.json');
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
