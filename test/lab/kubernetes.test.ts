// The cluster zke provisions in the lab is a real, working Kubernetes — checked the way a user would check it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  k8sSkipReason,
  LAB_KUBECTL,
  labClusterYaml,
  parseOrThrow,
  type RoleMap,
  runOperation,
  submitRevision,
} from '../support/cluster.ts';
import { adminKubeconfigFile, answersFromClientPod, eventually, kubectl } from '../support/kubectl.ts';
import { type LabHost, labImages, labUp, runCommand } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';

const skip = k8sSkipReason();
const WORKLOADS = fileURLToPath(new URL('./k8s/workloads.yaml', import.meta.url));
const lab = useLabSuite(0, skip);

type Kubectl = ReturnType<typeof kubectl>;

async function provision(
  name: string,
  hosts: LabHost[],
  roles: RoleMap,
  extra: Record<string, unknown> = {},
  format: 'zke' | 'rke' = 'zke',
): Promise<Kubectl> {
  await labImages();
  const spec = parseOrThrow(labClusterYaml(name, hosts, roles, { extra, format }));
  const withLabels = {
    ...spec,
    nodes: spec.nodes.map((n) => ({ ...n, labels: { ...n.labels, 'zke.test/host': n.name } })),
  };
  const result = await runOperation(lab.t.client, lab.taskQueue, 'provisionCluster', {
    cluster: name,
    revision: submitRevision(withLabels),
  });
  assert.equal(result.status.phase, 'succeeded', result.summary);
  return kubectl(LAB_KUBECTL, adminKubeconfigFile(name));
}

interface NodeList {
  items: {
    metadata: { name: string; labels: Record<string, string> };
    status: { conditions: { type: string; status: string }[] };
  }[];
}

async function nodesReady(k: Kubectl, hosts: LabHost[], roles: RoleMap): Promise<void> {
  await eventually(
    'every node Ready',
    async () => {
      const nodes = JSON.parse(await k('get', 'nodes', '-o', 'json')) as NodeList;
      assert.deepEqual(nodes.items.map((n) => n.metadata.name).sort(), hosts.map((h) => h.name).sort());
      for (const n of nodes.items) {
        assert.equal(
          n.status.conditions.find((c) => c.type === 'Ready')?.status,
          'True',
          `${n.metadata.name} Ready`,
        );
        for (const role of roles[n.metadata.name])
          assert.equal(n.metadata.labels[`node-role.kubernetes.io/${role}`], 'true');
        assert.equal(n.metadata.labels['zke.test/host'], n.metadata.name, 'spec labels reach the node');
      }
    },
    300_000,
  );
}

async function httpFromRoot(url: string): Promise<string> {
  const res = await runCommand('curl', ['-sf', '--max-time', '5', url]);
  if (res.code !== 0) throw new Error(`curl ${url}: exit ${res.code}`);
  return res.stdout.trim();
}

const THREE: RoleMap = {
  zlab1: ['etcd', 'controlplane', 'worker'],
  zlab2: ['etcd', 'worker'],
  zlab3: ['etcd', 'worker', 'edge'],
};
/** RKE's roles (no `edge`): its ingress controller runs on the worker nodes. */
const THREE_RKE: RoleMap = {
  zlab1: ['etcd', 'controlplane', 'worker'],
  zlab2: ['etcd', 'worker'],
  zlab3: ['etcd', 'worker'],
};

test(
  '3 hosts from an RKE-format file: nodes Ready, pods spread and talk across hosts, DNS, NodePort, metrics, ingress on the workers',
  { skip, timeout: 1_500_000 },
  async () => {
    const hosts = await labUp(3);
    const k = await provision('k8s3', hosts, THREE_RKE, {}, 'rke');
    await nodesReady(k, hosts, THREE_RKE);
    await k('apply', '-f', WORKLOADS);
    await k('rollout', 'status', 'deployment/web', '--timeout=300s');
    await k('wait', '--for=condition=Ready', 'pod/client', '--timeout=300s');

    const pods = JSON.parse(await k('get', 'pods', '-l', 'app=web', '-o', 'json')) as {
      items: { spec: { nodeName: string }; status: { podIP: string; phase: string } }[];
    };
    assert.equal(pods.items.length, 3);
    assert.deepEqual(
      new Set(pods.items.map((p) => p.spec.nodeName)).size,
      3,
      'the 3 replicas spread over the 3 worker hosts',
    );
    assert.ok(pods.items.every((p) => p.status.phase === 'Running'));

    // pod-to-pod across hosts through flannel VXLAN: the client reaches every web pod by its pod IP
    for (const p of pods.items) await answersFromClientPod(k, `${p.status.podIP} 8080`);
    // a ClusterIP Service resolves by name through CoreDNS from inside a pod, and answers
    await answersFromClientPod(k, 'web.default.svc.cluster.local 80');
    // a NodePort answers from the root namespace on a node address
    const nodePort = await eventually('NodePort 30080', () =>
      httpFromRoot(`http://${hosts[1].address}:30080/`),
    );
    assert.match(nodePort, /^web-/);
    // metrics-server answers through the aggregation layer
    const top = await eventually('kubectl top nodes', () => k('top', 'nodes', '--no-headers'), 300_000);
    assert.equal(top.trim().split('\n').length, 3);
    // RKE format: the ingress controller runs on the workers (no node has zke's edge role), and the Ingress
    // routes two paths to two services on a worker's ports 80
    const worker = hosts[1].address;
    assert.equal(await eventually('ingress /a', () => httpFromRoot(`http://${worker}/a/`)), 'service-a');
    assert.equal(await eventually('ingress /b', () => httpFromRoot(`http://${worker}/b/`)), 'service-b');
  },
);

test(
  '5 hosts with ECDSA-P256 keys: every node Ready with its roles, a Deployment spreads, service-account tokens work',
  { skip, timeout: 1_500_000 },
  async () => {
    const hosts = await labUp(5);
    const roles: RoleMap = {
      ...THREE,
      zlab1: ['etcd', 'controlplane'],
      zlab4: ['controlplane', 'worker'],
      zlab5: ['worker'],
    };
    const k = await provision('k8s5', hosts, roles, { cert_key_algorithm: 'ECDSA-P256' });
    await nodesReady(k, hosts, roles);
    await k('apply', '-f', WORKLOADS);
    await k('rollout', 'status', 'deployment/web', '--timeout=300s');
    const nodes = (await k('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].spec.nodeName}')).split(
      ' ',
    );
    assert.equal(new Set(nodes).size, 3);
    assert.ok(!nodes.includes('zlab1'), 'no workload on the controlplane/etcd-only host (tainted)');
    // the API server serves with an EC key, and accepts a token signed by the ECDSA service-account key
    const token = (await k('create', 'token', 'default')).trim();
    const api = `https://${hosts[0].address}:6443`;
    const served = await runCommand('sh', [
      '-c',
      `openssl s_client -connect ${hosts[0].address}:6443 </dev/null 2>/dev/null | openssl x509 -noout -text`,
    ]);
    assert.match(served.stdout, /Public Key Algorithm: id-ecPublicKey/);
    const res = await runCommand('curl', [
      '-sk',
      '--max-time',
      '10',
      '-H',
      `Authorization: Bearer ${token}`,
      `${api}/api`,
    ]);
    assert.match(res.stdout, /"kind": "APIVersions"/);
  },
);
