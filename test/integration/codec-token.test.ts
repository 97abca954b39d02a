// The Temporal Web UI's codec token, as `npm start` wires it: the dev server reads the codec endpoint from a
// 0600 file (no process shows the token in its arguments), and the token the UI hands to every visitor
// (GET /api/v1/settings, no login) only decodes: as a bearer token it is refused everywhere with 403.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { renewCodecToken } from '../../api/codec.ts';
import { type DevServer, envFile, startDevServer } from '../../scripts/devServer.ts';
import { freePort } from '../support/freePort.ts';
import { tempDir } from '../support/tempDir.ts';
import { apiSuite, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();
const scratch = tempDir('zke-codec-token');
let server: DevServer | undefined;
after(async () => {
  await server?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Every process's command line that contains `secret` (all processes this user can see). */
function argumentListsWith(secret: string): string[] {
  return fs.readdirSync('/proc').flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(secret) ? [`${pid}: ${cmdline.replaceAll('\0', ' ')}`] : [];
    } catch {
      return []; // exited meanwhile
    }
  });
}

test(
  'the Web UI gets the codec endpoint without argv, and its token only decodes',
  { timeout: 90_000 },
  async () => {
    const token = renewCodecToken(suite.api.tokens);
    const uiPort = await freePort();
    const options = {
      cli: process.env.TEMPORAL_CLI ?? path.resolve('.zke/tools/py/bin/temporal'),
      dbFile: path.join(scratch, 'temporal.db'),
      port: await freePort(),
      uiPort,
      logFile: path.join(scratch, 'temporal.log'),
      codecEndpoint: `${suite.api.url}/codec/${token}`,
    };
    server = await startDevServer(options);
    assert.deepEqual(argumentListsWith(token), []);
    assert.equal(fs.statSync(envFile(options)).mode & 0o777, 0o600);

    const settings = await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json();
    assert.equal(settings.Codec.Endpoint, options.codecEndpoint, 'the UI was configured from the file');
    const leaked = settings.Codec.Endpoint.split('/').at(-1);

    const attempts: [string, string, string?][] = [
      ['GET', '/v1/clusters'],
      ['POST', '/v1/clusters', unreachableSpec('stolen')],
      ['GET', '/v1/clusters/stolen/kubeconfig'],
      ['DELETE', '/v1/clusters/stolen'],
    ];
    for (const [method, urlPath, body] of attempts) {
      const reply = await suite.api.request(method, urlPath, { token: leaked, body });
      assert.equal(reply.status, 403, `${method} ${urlPath}: ${reply.text}`);
      assert.match(reply.json.detail, /token "temporal-ui-codec" has scope "codec"/);
    }
    assert.deepEqual(suite.api.store.clusters(), []);

    const codec = (op: string) =>
      fetch(`${settings.Codec.Endpoint}/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [] }),
      });
    assert.equal((await codec('decode')).status, 200);
    const encode = await codec('encode');
    assert.equal(encode.status, 403);
    assert.equal((await encode.json()).requiredScope, 'operate');
  },
);
