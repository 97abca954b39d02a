// RKE's addons_include, read where the cluster file is (as `rke up` reads it): files relative to the file and
// http(s) URLs become documents of `addons`, so the user addon applies them; what cannot be read or is no
// Kubernetes object fails naming the entry.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { IncludeError, resolveAddonsInclude } from '../../cli/addonsInclude.ts';
import { addonObjects, describeAddons } from '../../model/addons/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { tempDir } from '../support/tempDir.ts';

const configMap = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\n`;
let server: http.Server;
let base = '';

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/cm.yaml') res.end(`---\n${configMap('from-url')}`);
    else res.writeHead(404).end('no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function clusterFile(extra: string): string {
  return `cluster_name: inc\nnodes:\n  - {address: 10.0.0.1, role: [etcd, controlplane, worker]}\n${extra}`;
}

test('files (relative to the cluster file) and URLs are applied with the inline addons, in order', async () => {
  const dir = tempDir('zke-include');
  fs.mkdirSync(path.join(dir, 'addons'));
  fs.writeFileSync(
    path.join(dir, 'addons', 'cm.yaml'),
    `${configMap('from-file')}---\n${configMap('second')}`,
  );
  const text = clusterFile(
    `addons: |\n  ${configMap('inline').trimEnd().replaceAll('\n', '\n  ')}\naddons_include:\n  - addons/cm.yaml\n  - ${base}/cm.yaml\n`,
  );
  const resolved = await resolveAddonsInclude(text, dir);
  const parsed = parseClusterSpec(resolved);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
  assert.deepEqual(parsed.spec.addonsInclude, [], 'sent inline, not as paths');
  const names = addonObjects(parsed.spec, 'user').map((o) => o.metadata.name);
  assert.deepEqual(names, ['inline', 'from-file', 'second', 'from-url']);
  assert.ok(describeAddons(parsed.spec).includes('user'));
  assert.match(resolved, /# addons_include: addons\/cm\.yaml/);
});

test('a file with only includes gets the user addon; no addons_include leaves the text as it was', async () => {
  const dir = tempDir('zke-include');
  fs.writeFileSync(path.join(dir, 'only.yaml'), configMap('only'));
  const parsed = parseClusterSpec(
    await resolveAddonsInclude(clusterFile('addons_include: [only.yaml]\n'), dir),
  );
  assert.ok(parsed.ok);
  assert.deepEqual(
    addonObjects(parsed.spec, 'user').map((o) => o.metadata.name),
    ['only'],
  );
  const plain = clusterFile('# a comment\naddons_include: []\n');
  assert.equal(await resolveAddonsInclude(plain, dir), plain);
});

test('a missing file, a URL answering 404 and a document that is no object fail naming the entry', async () => {
  const dir = tempDir('zke-include');
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nmetadata: {name: x}\n');
  const cases: [string, RegExp][] = [
    ['nope.yaml', /^addons_include\[0\] \(nope\.yaml\): cannot be read: .*ENOENT/],
    [`${base}/gone.yaml`, /^addons_include\[0\] \(http:.*\/gone\.yaml\): cannot be read: HTTP 404/],
    ['bad.yaml', /^addons_include\[0\] \(bad\.yaml\): document 1: kind is missing/],
  ];
  for (const [source, expected] of cases) {
    await assert.rejects(
      resolveAddonsInclude(clusterFile(`addons_include: ["${source}"]\n`), dir),
      (error) => {
        assert.ok(error instanceof IncludeError);
        assert.match(error.message, expected);
        return true;
      },
    );
  }
});
