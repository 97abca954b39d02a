// Specs submitted through the API may not make the worker read any file on this machine as a key, nor probe
// this machine's own ports: 422 naming the node and the rule, nothing stored, nothing started.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { tempDir } from '../support/tempDir.ts';
import { apiSuite, terminateCluster, unreachableSpec } from './api-harness.ts';

const suite = apiSuite();
const allowedByHarness = process.env.ZKE_ALLOWED_NODE_CIDRS;

afterEach(() => {
  process.env.ZKE_ALLOWED_NODE_CIDRS = allowedByHarness;
  delete process.env.ZKE_SSH_KEY_DIRS;
});

async function refusal(spec: string, method = 'POST', url = '/v1/clusters') {
  const reply = await suite.api.request(method, url, { body: spec });
  assert.equal(reply.status, 422, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return reply.json.errors as { path: string; message: string }[];
}

test('a key path outside the key directories: 422 naming the node and the rule, whether the file exists or not', async () => {
  const shadow = await refusal(unreachableSpec('keys', '/etc/shadow'));
  assert.deepEqual(
    shadow.map((e) => e.path),
    ['nodes[0].ssh_key_path'],
  );
  assert.match(
    shadow[0]!.message,
    /^node n1: "\/etc\/shadow" is outside them: SSH keys are read only from the key directories \(.*\.ssh/,
  );
  const missing = await refusal(unreachableSpec('keys', '/etc/no-such-file'));
  assert.equal(
    missing[0]!.message.replace('/etc/no-such-file', 'P'),
    shadow[0]!.message.replace('/etc/shadow', 'P'),
  );
  const climbing = await refusal(unreachableSpec('keys', '~/.ssh/../../etc/shadow'));
  assert.equal(climbing[0]!.path, 'nodes[0].ssh_key_path');
  assert.equal((await suite.api.request('GET', '/v1/clusters/keys')).status, 404, 'nothing was stored');
});

test('a symlink in a key directory to a file elsewhere is refused; ZKE_SSH_KEY_DIRS names the directories', async () => {
  const keys = tempDir('zke-api-keys');
  fs.symlinkSync('/etc/shadow', path.join(keys, 'id_link'));
  process.env.ZKE_SSH_KEY_DIRS = keys;
  const errors = await refusal(unreachableSpec('linked', path.join(keys, 'id_link')));
  assert.match(
    errors[0]!.message,
    new RegExp(`key directories \\(${keys}; ZKE_SSH_KEY_DIRS changes them\\)`),
  );
  const refusedDefault = await refusal(unreachableSpec('linked'));
  assert.match(refusedDefault[0]!.message, /"~\/\.ssh\/id_rsa" is outside them/);
  const accepted = await suite.api.request('POST', '/v1/clusters', {
    body: unreachableSpec('linked', path.join(keys, 'id_ed25519')),
  });
  assert.equal(accepted.status, 202, accepted.text);
  await terminateCluster(suite.t, 'linked');
});

test('loopback, link-local and metadata node addresses: 422 by default, naming node and rule', async () => {
  delete process.env.ZKE_ALLOWED_NODE_CIDRS;
  const loopback = await refusal(unreachableSpec('local'));
  assert.deepEqual(loopback, [
    {
      path: 'nodes[0].address',
      message:
        'node n1: 127.0.0.1: loopback, unspecified, link-local and metadata addresses (127.0.0.0/8, 0.0.0.0/8, ' +
        '169.254.0.0/16, ::1, ::, fe80::/10) are refused unless ZKE_ALLOWED_NODE_CIDRS allows them',
    },
  ]);
  for (const address of ['169.254.169.254', '0.0.0.0', '"::1"', '"fe80::1"', 'localhost']) {
    const errors = await refusal(unreachableSpec('local').replace('127.0.0.1', address));
    assert.equal(errors[0]!.path, 'nodes[0].address', address);
  }
  assert.equal((await suite.api.request('GET', '/v1/clusters/local')).status, 404, 'nothing was stored');
});

test('PUT is held to the same rules', async () => {
  assert.equal(
    (await suite.api.request('POST', '/v1/clusters', { body: unreachableSpec('put') })).status,
    202,
  );
  await terminateCluster(suite.t, 'put');
  delete process.env.ZKE_ALLOWED_NODE_CIDRS;
  const errors = await refusal(unreachableSpec('put', '/etc/shadow'), 'PUT', '/v1/clusters/put');
  assert.deepEqual(
    errors.map((e) => e.path),
    ['nodes[0].ssh_key_path', 'nodes[0].address'],
  );
});

test('certificate paths and the bastion host are held to the same rules; with the agent no key file is read', async () => {
  const keys = tempDir('zke-api-keys');
  process.env.ZKE_SSH_KEY_DIRS = keys;
  const spec = [
    unreachableSpec('access', path.join(keys, 'id')).trimEnd(),
    '    ssh_cert_path: /etc/shadow',
    'bastion_host:',
    '  address: 127.0.0.1',
    '  ssh_key_path: /etc/shadow',
    '  ssh_cert_path: /etc/passwd',
    '',
  ].join('\n');
  const errors = await refusal(spec);
  assert.deepEqual(
    errors.map((e) => e.path),
    ['nodes[0].ssh_cert_path', 'bastion_host.ssh_key_path', 'bastion_host.ssh_cert_path'],
  );
  assert.match(errors[1]!.message, /^bastion host: "\/etc\/shadow" is outside them: SSH keys are read only/);
  delete process.env.ZKE_ALLOWED_NODE_CIDRS; // so the address is refused: the spec is stored otherwise
  const agent = await refusal(
    unreachableSpec('agent', '/etc/shadow').replace('    port: 1', '    port: 1\n    ssh_agent_auth: true'),
  );
  assert.deepEqual(
    agent.map((e) => e.path),
    ['nodes[0].address'],
    'the key path is not read with the agent',
  );
});

test('addons_include through the API: 422 naming each entry, nothing stored (the CLI sends the manifests inline)', async () => {
  const spec = `${unreachableSpec('includes')}addons_include:\n  - /etc/shadow\n  - http://169.254.169.254/latest\n`;
  const errors = (await refusal(spec)).filter((e) => e.path.startsWith('addons_include'));
  assert.deepEqual(
    errors.map((e) => e.path),
    ['addons_include[0]', 'addons_include[1]'],
  );
  assert.match(errors[0]!.message, /^\/etc\/shadow: the API reads no file or URL .* put them in addons\)$/);
  assert.equal((await suite.api.request('GET', '/v1/clusters/includes')).status, 404, 'nothing was stored');
});
