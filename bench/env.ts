// Imported first by the runner: the benchmark's own state directory (cluster store, payload keys, Temporal
// database), so nothing touches the user's .zke. Worker and API children inherit these variables.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'zke-bench-'));
process.env.ZKE_HOME = path.join(scratch, 'home');
process.env.ZKE_KEYRING = path.join(scratch, 'keyring.json');

export function removeScratch(): void {
  fs.rmSync(scratch, { recursive: true, force: true });
}
