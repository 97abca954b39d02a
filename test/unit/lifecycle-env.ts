// Imported first by store-backed unit tests: a private ZKE_HOME and keyring, removed on exit.
import path from 'node:path';
import { tempDir } from '../support/tempDir.ts';

const dir = tempDir('zke-lifecycle');
process.env.ZKE_HOME = path.join(dir, 'home');
process.env.ZKE_KEYRING = path.join(dir, 'keyring.json');
