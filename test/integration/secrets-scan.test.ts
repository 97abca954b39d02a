// Secrets through a whole provision (host activities faked, everything else real): an inline SSH key, a
// registry password and the API token appear in no workflow history (raw or decrypted), no search attribute
// and no API response but the explicit kubeconfig download; the cluster's own private keys neither.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { fakeHosts } from '../support/fakeHosts.ts';
import { historyTexts, KEY_MATERIAL } from '../support/history.ts';
import { apiSuite } from './api-harness.ts';

const suite = apiSuite({ worker: true, activities: fakeHosts });
const name = `secrets-${Date.now().toString(36)}`;
const sshKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const registryPassword = `reg-${randomBytes(12).toString('hex')}`;

function spec(): string {
  const key = sshKey
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return [
    `cluster_name: ${name}`,
    'nodes:',
    '  - address: 10.0.0.1',
    '    name: n1',
    '    roles: [etcd, controlplane, worker]',
    '    ssh_key: |',
    key,
    'private_registries:',
    '  - url: registry.example:5000',
    '    user: puller',
    `    password: ${registryPassword}`,
    '    is_default: true',
    '',
  ].join('\n');
}

async function finished(operationId: string): Promise<{ state: string }> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const reply = await suite.api.request('GET', `/v1/operations/${operationId}`);
    if (reply.json?.state !== 'running') return reply.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`operation ${operationId} still running after 60 s`);
}

function assertClean(text: string, where: string): void {
  const keyBody = sshKey.split('\n')[1]!;
  assert.ok(!text.includes(keyBody), `${where}: the SSH private key`);
  assert.ok(!text.includes(registryPassword), `${where}: the registry password`);
  assert.ok(!text.includes(suite.api.token), `${where}: the API token`);
  assert.doesNotMatch(text, KEY_MATERIAL, `${where}: key material`);
}

test(
  'no secret in workflow histories, search attributes or API responses',
  { timeout: 120_000 },
  async () => {
    const created = await suite.api.request('POST', '/v1/clusters', { body: spec() });
    assert.equal(created.status, 202, created.text);
    assert.equal((await finished(created.json.operationId)).state, 'succeeded');

    const { raw, decoded } = await historyTexts(suite.t.client, `zke/${name}`);
    assert.match(decoded, /deploy certificates/, 'the decrypted history is readable');
    assertClean(raw, 'raw history');
    assertClean(decoded, 'decrypted history');
    const description = await suite.t.client.workflow.getHandle(`zke/${name}`).describe();
    assertClean(JSON.stringify(description.searchAttributes), 'search attributes');

    for (const path of [
      '/v1/clusters',
      `/v1/clusters/${name}`,
      `/v1/clusters/${name}/operations`,
      `/v1/clusters/${name}/plan`,
      `/v1/operations/${created.json.operationId}`,
      `/v1/operations/${created.json.operationId}/events`,
    ]) {
      const reply = await suite.api.request('GET', path);
      assert.equal(reply.status, 200, `${path}: ${reply.text}`);
      assertClean(reply.text, path);
    }
    const kubeconfig = await suite.api.request('GET', `/v1/clusters/${name}/kubeconfig`);
    assert.equal(kubeconfig.status, 200);
    assert.match(
      kubeconfig.text,
      /client-key-data/,
      'the explicit kubeconfig download carries the admin key',
    );
  },
);
