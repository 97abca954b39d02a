// `zke up -c cluster.yml` as a user runs it, on a lab host: the CLI (bin/zke.mjs, a worker and the API inside
// itself, the test's Temporal server) provisions from a file whose addons_include names a file beside it and a
// URL served on the lab network, writes kube_config_cluster.yml, and a second `up` without the URL deletes that
// manifest's objects while the file's stay.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import YAML from 'yaml';
import { k8sSkipReason, LAB_KUBECTL, labClusterYaml } from '../support/cluster.ts';
import { freePort } from '../support/freePort.ts';
import { kubectl } from '../support/kubectl.ts';
import { currentLab, labSsh } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';
import { tempDir } from '../support/tempDir.ts';
import { runZke } from '../support/zkeCli.ts';

const skip = k8sSkipReason();
const lab = useLabSuite(1, skip);
const dir = tempDir('zke-cli-up');
const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata:\n  from: ${value}\n`;

// the manifest a URL on the lab network serves (the bridge address the lab's registry listens on)
const served: string[] = [];
const server = http.createServer((req, res) => {
  served.push(req.url ?? '');
  if (req.url !== '/addons/remote.yaml') return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': 'application/yaml' }).end(configMap('from-url', 'url'));
});
after(() => server.close());

/** The environment of a user with only a cluster file: no API, no token; its own ZKE_HOME and task queue. */
function userEnv(apiPort: number): Record<string, string> {
  const env: Record<string, string> = {
    ZKE_HOME: path.join(dir, 'home'),
    TEMPORAL_ADDRESS: lab.t.address,
    ZKE_TASK_QUEUE: `cli-up-${process.pid}`,
    ZKE_API_PORT: String(apiPort),
    ZKE_SSH_KEY_DIRS: path.dirname(labSsh.keyPath),
  };
  for (const name of ['ZKE_API', 'ZKE_TOKEN', 'ZKE_TEST_TEMPORAL']) env[name] = '';
  return env;
}

function writeClusterFile(includes: string[]): string {
  const doc = labClusterYaml('cli-up', lab.hosts, { zlab1: ['etcd', 'controlplane', 'worker'] });
  const file = path.join(dir, 'cluster.yml');
  fs.writeFileSync(file, YAML.stringify({ ...doc, addons_include: includes }));
  return file;
}

test(
  'zke up provisions a lab host from cluster.yml with addons_include (a file, a URL); taking one out deletes its objects',
  { skip, timeout: 900_000 },
  async () => {
    await new Promise<void>((resolve) => server.listen(0, `${currentLab().network}.1`, resolve));
    const url = `http://${currentLab().network}.1:${(server.address() as AddressInfo).port}/addons/remote.yaml`;
    fs.writeFileSync(path.join(dir, 'local.yaml'), configMap('from-file', 'file'));
    const env = userEnv(await freePort());

    const file = writeClusterFile(['local.yaml', url]);
    const first = await runZke(['up', '-c', file], env, dir);
    assert.equal(first.code, 0, `zke up: ${first.stderr}\n${first.stdout}`);
    assert.match(first.stdout, /addons/, 'the progress names the addons step');
    assert.deepEqual(served, ['/addons/remote.yaml'], 'the CLI fetched the URL once');
    const kubeconfig = path.join(dir, 'kube_config_cluster.yml');
    assert.equal(fs.statSync(kubeconfig).mode & 0o777, 0o600);
    const k = kubectl(LAB_KUBECTL, kubeconfig);
    const data = async (name: string) => k('get', 'configmap', name, '-o', 'jsonpath={.data.from}');
    assert.equal(await data('from-file'), 'file');
    assert.equal(await data('from-url'), 'url');

    writeClusterFile(['local.yaml']);
    const second = await runZke(['up', '-c', file], env, dir);
    assert.equal(second.code, 0, `second zke up: ${second.stderr}\n${second.stdout}`);
    assert.match(second.stdout, /addon user: deleted ConfigMap\/from-url/);
    assert.equal(await data('from-file'), 'file');
    const gone = await k('get', 'configmap', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name');
    assert.ok(!gone.split('\n').includes('from-url'), `from-url is gone: ${gone}`);
  },
);
