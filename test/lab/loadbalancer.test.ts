// LoadBalancer Services on a lab cluster with `network.loadbalancer` (MetalLB, layer 2), checked as a user would:
// from outside the cluster (this machine, on the lab network), through the node that answers ARP for the address.
// One cluster for every assertion: the Services get addresses in order, the address moves when its node dies,
// and taking the section out removes MetalLB with its objects (ingress, metrics server and DNS turned off go too).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { METALLB_NAMESPACE } from '../../model/addons/index.ts';
import { k8sSkipReason, type RoleMap } from '../support/cluster.ts';
import { labFault } from '../support/faults.ts';
import { eventually } from '../support/kubectl.ts';
import { currentLab, labImages, labUp, runCommand } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';
import { tempDir } from '../support/tempDir.ts';
import { type Kubectl, labSpec, provision, upgrade } from './lifecycle-harness.ts';

const skip = k8sSkipReason();
const lab = useLabSuite(0, skip);

// zlab1 keeps the control plane; the web pods run on the two worker-only hosts, and with
// `externalTrafficPolicy: Local` only a node with a local pod announces: the killed node is never the API's.
const ROLES: RoleMap = { zlab1: ['etcd', 'controlplane', 'worker'], zlab2: ['worker'], zlab3: ['worker'] };
const WORKERS = ['zlab2', 'zlab3'];

function workloads(): string {
  const service = (name: string, policy: string) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec:
  type: LoadBalancer
  externalTrafficPolicy: ${policy}
  selector: {app: lb-web}
  ports: [{port: 80, targetPort: 8080}]
`;
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: lb-web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: lb-web}}
  template:
    metadata: {labels: {app: lb-web}}
    spec:
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: ${JSON.stringify(WORKERS)}}]}]
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: lb-web}}}
      containers:
        - name: web
          image: zke/tools:v1
          command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
          ports: [{containerPort: 8080}]
          readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 2}
${service('lb-web', 'Local')}${service('lb-web2', 'Cluster')}`;
}

async function apply(k: Kubectl, yaml: string): Promise<void> {
  const file = path.join(tempDir('zke-lb'), 'workloads.yaml');
  fs.writeFileSync(file, yaml);
  await k('apply', '-f', file);
}

async function externalIp(k: Kubectl, service: string): Promise<string> {
  const ip = await k('get', 'service', service, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}');
  if (!ip.trim()) throw new Error(`${service} has no external address yet`);
  return ip.trim();
}

/** An HTTP GET from this machine (the lab network's root leg) to the address; the body is the pod's name. */
async function httpFromOutside(ip: string): Promise<string> {
  const res = await runCommand('curl', ['-sf', '--max-time', '3', `http://${ip}/`]);
  if (res.code !== 0) throw new Error(`curl http://${ip}/: exit ${res.code}`);
  return res.stdout.trim();
}

/** The node MetalLB announces the Service from (its ServiceL2Status). */
async function announcingNode(k: Kubectl, service: string): Promise<string> {
  const list = JSON.parse(await k('get', 'servicel2statuses', '-n', METALLB_NAMESPACE, '-o', 'json')) as {
    items: { status?: { node?: string; serviceName?: string; serviceNamespace?: string } }[];
  };
  const node = list.items.find((s) => s.status?.serviceName === service)?.status?.node;
  if (!node) throw new Error(`no ServiceL2Status for ${service} yet`);
  return node;
}

const toNumber = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

test(
  'MetalLB: a LoadBalancer Service gets a pool address and answers from outside, fails over, the next gets the next; removed with the section',
  { skip, timeout: 1_800_000 },
  async () => {
    const hosts = await labUp(3);
    await labImages();
    const net = currentLab().registry.split(':')[0]!.replace(/\.1$/, '');
    const pool = `${net}.200-${net}.210`;
    const loadbalancer = { provider: 'metallb', address_pools: [{ name: 'lab', addresses: [pool] }] };
    const withLb = labSpec('lb', hosts, ROLES, { extra: { network: { loadbalancer } } });
    const ops = { t: lab.t, taskQueue: lab.taskQueue };
    const k = await provision(ops, withLb);
    await eventually(
      'MetalLB controller and speakers ready',
      async () => {
        await k('rollout', 'status', '-n', METALLB_NAMESPACE, 'deployment/controller', '--timeout=10s');
        await k('rollout', 'status', '-n', METALLB_NAMESPACE, 'daemonset/speaker', '--timeout=10s');
      },
      600_000,
    );
    await apply(k, workloads());
    await k('rollout', 'status', 'deployment/lb-web', '--timeout=300s');

    // an address from the pool within 30 s
    const started = Date.now();
    const first = await eventually('lb-web external address', () => externalIp(k, 'lb-web'), 30_000);
    const assignedAfter = Date.now() - started;
    assert.equal(first, `${net}.200`, 'the first address of the pool');
    const page = await eventually('lb-web answers from outside', () => httpFromOutside(first), 120_000);
    assert.match(page, /^lb-web-/);
    // a second Service gets the next address
    const second = await eventually('lb-web2 external address', () => externalIp(k, 'lb-web2'), 30_000);
    assert.equal(toNumber(second), toNumber(first) + 1, `${second} follows ${first}`);
    assert.match(await eventually('lb-web2 answers', () => httpFromOutside(second), 120_000), /^lb-web-/);

    // the node announcing lb-web dies: another node takes the address over and it answers again
    const announcer = await eventually('lb-web announced', () => announcingNode(k, 'lb-web'));
    assert.ok(WORKERS.includes(announcer), `${announcer} announces (it has a local endpoint)`);
    await labFault('kill-host', announcer);
    const killedAt = Date.now();
    const survivor = WORKERS.find((w) => w !== announcer)!;
    const again = await eventually(
      'lb-web answers after the failover',
      () => httpFromOutside(first),
      180_000,
    );
    const failoverSeconds = Math.round((Date.now() - killedAt) / 1000);
    assert.match(again, /^lb-web-/);
    assert.equal(await eventually('lb-web re-announced', () => announcingNode(k, 'lb-web')), survivor);
    assert.equal(await externalIp(k, 'lb-web'), first, 'the Service keeps its address');
    console.log(
      `address assigned after ${assignedAfter} ms; answered again ${failoverSeconds} s after the kill`,
    );

    // the host comes back; the section goes: MetalLB and every object it had are removed
    await labFault('start-host', announcer);
    await eventually(
      'the restarted node Ready',
      async () => {
        const ready = await k(
          'get',
          'node',
          announcer,
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        );
        assert.equal(ready.trim(), 'True');
      },
      600_000,
    );
    // ingress, metrics server and DNS are turned off in the same revision: deleted as RKE deletes them
    const off = { provider: 'none' };
    const extra = { ingress: off, monitoring: off, dns: off };
    const removed = await upgrade(ops, labSpec('lb', hosts, ROLES, { extra }));
    assert.equal(removed.status.phase, 'succeeded', removed.summary);
    const left = await k('get', 'deployments,daemonsets,apiservices', '-A', '-o', 'name');
    for (const gone of [
      'deployment.apps/coredns',
      'deployment.apps/metrics-server',
      'traefik',
      'metrics.k8s.io',
    ]) {
      assert.ok(!left.includes(gone), `${gone} is still there:\n${left}`);
    }
    const namespaces = await k('get', 'namespaces', '-o', 'name');
    assert.ok(!namespaces.includes(`namespace/${METALLB_NAMESPACE}`), namespaces);
    assert.equal(
      (await k('get', 'crd', '-o', 'name')).split('\n').filter((c) => c.includes('metallb.io')).length,
      0,
    );
    const rbac = await k('get', 'clusterroles,clusterrolebindings', '-o', 'name');
    assert.ok(!rbac.includes('metallb'), rbac);
    assert.equal(await k('get', 'service', 'lb-web', '-o', 'jsonpath={.spec.type}'), 'LoadBalancer');
  },
);
