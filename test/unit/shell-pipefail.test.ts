// Under `set -o pipefail`, `cmd | grep -q x` fails when grep exits at its first match and cmd dies of
// SIGPIPE: the lab's etcd image check failed that way on a new machine ("etcd is not 3.4.23: etcd Version:
// 3.4.23"). No shell script of the repository pipes into grep -q; they grep a captured string instead.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;

function shellScripts(): string[] {
  const files = execFileSync('git', ['ls-files', '*.sh', 'lab/zrunc.sh', 'bin/*', '.ci/*'], {
    cwd: root,
    encoding: 'utf8',
  });
  return files.split('\n').filter((f) => f && fs.existsSync(root + f));
}

test('the hazard is real: a writer that outlives grep -q fails the pipeline under pipefail', () => {
  const r = spawnSync('bash', ['-c', 'set -o pipefail; yes version | grep -q version'], { timeout: 10_000 });
  assert.notEqual(r.status, 0, 'yes | grep -q should fail with SIGPIPE under pipefail');
});

test('no shell script pipes into grep -q', () => {
  const offenders: string[] = [];
  for (const file of shellScripts()) {
    fs.readFileSync(root + file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/\|\s*grep\s+-[a-zA-Z]*q/.test(line) && !line.trimStart().startsWith('#')) {
          offenders.push(`${file}:${i + 1}: ${line.trim()}`);
        }
      });
  }
  assert.ok(shellScripts().includes('lab/images/etcd/context.sh'), 'the scan must see the lab scripts');
  assert.deepEqual(offenders, []);
});
