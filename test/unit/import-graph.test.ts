// Layering rules read from the sources: activities never import workflow code (workflows run in a sandbox
// and must stay replaceable), and the CLI never imports the API server's modules (it talks to it over HTTP).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Every `from '...'` / `import('...')` of a relative module, resolved to a path under ROOT. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => path.relative(ROOT, path.resolve(ROOT, path.dirname(file), s)));
}

function crossings(from: string, to: string): string[] {
  return sources(from).flatMap((file) =>
    importsOf(file)
      .filter((target) => target.startsWith(`${to}/`))
      .map((target) => `${file} -> ${target}`),
  );
}

test('nothing under activities/ imports from workflows/', () => {
  assert.deepEqual(crossings('activities', 'workflows'), []);
});

test('nothing under cli/ imports from api/', () => {
  assert.deepEqual(crossings('cli', 'api'), []);
});

test('the check sees imports: the workflows import activity types', () => {
  assert.ok(crossings('workflows', 'activities').length > 0);
});
