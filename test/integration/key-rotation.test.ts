import './api-home.ts';
// `zke encrypt rotate-key` through the API and the real workflow, the hosts and the Kubernetes API faked: the
// stored keys go [old] → [old, new] → [new, old] → [new] with the API servers restarted one controlplane host at
// a time after each change, the Secrets rewritten in between; the steps are those the dry-run shows. A cluster
// without zke's key is refused (409) saying why.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Activities } from '../../activities/index.ts';
import { readEncryptionKeys } from '../../common/stateExport.ts';
import { FileClusterStore } from '../../common/store.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { fakeHosts } from '../support/fakeHosts.ts';
import { dryRunSteps, executedSteps } from '../support/history.ts';
import { runZke } from '../support/zkeCli.ts';
import { apiSuite, terminateCluster } from './api-harness.ts';

const store = new FileClusterStore();
const keyNames = (cluster: string) => readEncryptionKeys(store, cluster).map((k) => k.name);

// what each host saw, in order: the keys stored when its files were deployed, then its restarts
const seen: string[] = [];
const deployHostFiles: Activities['deployHostFiles'] = async ({ cluster, host }) => {
  seen.push(`${host} files [${keyNames(cluster).join(', ')}]`);
  return { written: [], unchanged: [] };
};
const restartContainers: Activities['restartContainers'] = async ({ host, containers }) => {
  seen.push(`${host} restart ${containers.join(', ')}`);
  return containers;
};
const rewriteSecrets: Activities['rewriteSecrets'] = async ({ cluster }) => {
  seen.push(`rewrite under [${keyNames(cluster).join(', ')}]`);
  return { rewritten: 7, skipped: 1 };
};
const suite = apiSuite({
  worker: true,
  activities: { ...fakeHosts, deployHostFiles, restartContainers, rewriteSecrets },
});
const cluster = `keyrot-${Date.now().toString(36)}`;
const plain = `${cluster}-plain`;
after(async () => {
  for (const name of [cluster, plain]) {
    await terminateCluster(suite.t, name);
    store.remove(name);
  }
});

const spec = (name: string, encryption: boolean) => `cluster_name: ${name}
nodes:
  - {name: n1, address: 10.0.0.1, roles: [etcd, controlplane]}
  - {name: n2, address: 10.0.0.2, roles: [controlplane]}
  - {name: n3, address: 10.0.0.3, roles: [worker]}
services:
  kube-api:
    secrets_encryption_config: {enabled: ${encryption}}
`;

async function provisioned(name: string, encryption: boolean): Promise<void> {
  const created = await suite.api.request('POST', '/v1/clusters', { body: spec(name, encryption) });
  assert.equal(created.status, 202, created.text);
  const result = await suite.t.client.workflow.getHandle(clusterWorkflowId(name)).result();
  assert.equal(result.status.phase, 'succeeded', result.summary);
}

test('a key rotation runs the steps its dry-run shows and moves the keys through every stage', async () => {
  await provisioned(cluster, true);
  const [old] = keyNames(cluster);
  assert.ok(old, 'provisioning made a key');
  const dry = await suite.api.request('POST', `/v1/clusters/${cluster}/encryption/rotate-key/plan`, {
    body: {},
  });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.json.phases, [
    'new key readable',
    'new key writes',
    'rewrite secrets',
    'old key dropped',
  ]);
  const cli = await runZke(['encrypt', 'rotate-key', '--dry-run', '-n', cluster], {
    ZKE_API: suite.api.url,
    ZKE_TOKEN: suite.api.token,
  });
  assert.equal(cli.code, 0, cli.stderr);
  for (const line of dry.json.steps) assert.ok(cli.stdout.includes(line), `zke prints "${line}"`);

  seen.length = 0;
  const started = await suite.api.request('POST', `/v1/clusters/${cluster}/encryption/rotate-key`, {
    body: {},
  });
  assert.equal(started.status, 202, started.text);
  const again = await suite.api.request('POST', `/v1/clusters/${cluster}/encryption/rotate-key`, {
    body: {},
  });
  assert.equal(again.status, 409, 'one operation per cluster at a time');
  const result: OperationResult = await suite.t.client.workflow
    .getHandle(clusterWorkflowId(cluster))
    .result();
  assert.equal(result.status.phase, 'succeeded', result.summary);
  assert.deepEqual(result.status.stepsDone, dry.json.phases);
  assert.deepEqual(
    await executedSteps(suite.t.client, clusterWorkflowId(cluster)),
    dryRunSteps(dry.json),
    'the steps and the hosts of each, from the history',
  );

  const [next] = keyNames(cluster);
  assert.notEqual(next, old);
  const stage = (keys: string) => [
    `n1 files [${keys}]`,
    'n1 restart kube-apiserver',
    `n2 files [${keys}]`,
    'n2 restart kube-apiserver',
  ];
  assert.deepEqual(seen, [
    ...stage(`${old}, ${next}`),
    ...stage(`${next}, ${old}`),
    `rewrite under [${next}, ${old}]`,
    ...stage(`${next}`),
  ]);
  assert.deepEqual(keyNames(cluster), [next]);
  assert.ok(
    result.status.events.some((e) => e.includes('7 Secret(s) written back under the new key; 1 changed')),
  );
});

test('a cluster without zke-made key is refused before anything starts, saying why', async () => {
  await provisioned(plain, false);
  const refused = await suite.api.request('POST', `/v1/clusters/${plain}/encryption/rotate-key`, {
    body: {},
  });
  assert.equal(refused.status, 409, refused.text);
  assert.match(refused.json.detail, /does not encrypt Secrets \(secrets_encryption_config\.enabled is off\)/);
  const dry = await suite.api.request('POST', `/v1/clusters/${plain}/encryption/rotate-key/plan`, {
    body: {},
  });
  assert.equal(dry.status, 200);
  assert.match(dry.json.refusal, /does not encrypt Secrets/);
  assert.deepEqual(keyNames(plain), [], 'no key was made');
});
