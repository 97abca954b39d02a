// Tests' temporary directories are gone when the test process ends, also when it ends with an error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';

const helper = new URL('../support/tempDir.ts', import.meta.url).href;

function childMakingDir(ending: string): { dir: string; status: number | null } {
  const script = `import { tempDir } from '${helper}';
import fs from 'node:fs';
const dir = tempDir('zke-tempdir-check');
fs.writeFileSync(dir + '/file', 'x');
console.log(dir);
${ending}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  return { dir: r.stdout.trim(), status: r.status };
}

test('a temp dir is removed when the process exits normally', () => {
  const { dir, status } = childMakingDir('');
  assert.equal(status, 0);
  assert.match(dir, /zke-tempdir-check-/);
  assert.equal(fs.existsSync(dir), false);
});

test('a temp dir is removed when the process dies of an uncaught error', () => {
  const { dir, status } = childMakingDir("throw new Error('boom');");
  assert.equal(status, 1);
  assert.match(dir, /zke-tempdir-check-/);
  assert.equal(fs.existsSync(dir), false);
});
