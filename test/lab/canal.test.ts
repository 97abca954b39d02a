// canal on a lab cluster, checked as a user would: a 3-host cluster from an RKE-format file that names no network
// plugin (so canal, as in RKE), a server pod and client pods on other hosts, and NetworkPolicies that must be
// enforced: a default-deny policy cuts off the client (another host) and a bystander (the server's own host), an
// allow rule reopens exactly its port, for exactly the pods it names. Its flannel routes with host-gw
// (canal_flannel_backend_type): the lab's hosts share one network, and every other lab cluster runs VXLAN.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { k8sSkipReason, type RoleMap } from '../support/cluster.ts';
import { eventually } from '../support/kubectl.ts';
import { labExec, labImages, labUp } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';
import { tempDir } from '../support/tempDir.ts';
import { type Kubectl, labSpec, provision } from './lifecycle-harness.ts';

const skip = k8sSkipReason();
const lab = useLabSuite(0, skip);

const ROLES: RoleMap = { zlab1: ['etcd', 'controlplane', 'worker'], zlab2: ['worker'], zlab3: ['worker'] };
const NS = 'netpol';
const ALLOWED = 8080;
const OTHER = 8081;

/** A pod of the tools image pinned to `host`, labelled `app`, running `command`. */
function pod(name: string, host: string, command: string): string {
  return `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}, labels: {app: ${name}}}
spec:
  nodeSelector: {kubernetes.io/hostname: ${host}}
  containers: [{name: main, image: 'zke/tools:v1', command: [sh, -c, '${command}']}]
`;
}

/** The server answers its name on two ports (zlab2); the client asks from zlab3, a bystander from zlab2. */
function workloads(): string {
  const serve = (port: number) => `httpd -p ${port} -h /www`;
  const server = `mkdir -p /www && hostname > /www/index.html && ${serve(ALLOWED)} && ${serve(OTHER)} && exec sleep 3600`;
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${NS}}
${pod('server', 'zlab2', server)}${pod('client', 'zlab3', 'exec sleep 3600')}${pod('bystander', 'zlab2', 'exec sleep 3600')}`;
}

const DENY_ALL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: ${NS}}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

const ALLOW_CLIENT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: client-to-server, namespace: ${NS}}
spec:
  podSelector: {matchLabels: {app: server}}
  policyTypes: [Ingress]
  ingress:
    - from: [{podSelector: {matchLabels: {app: client}}}]
      ports: [{protocol: TCP, port: ${ALLOWED}}]
`;

async function apply(k: Kubectl, yaml: string): Promise<void> {
  const file = path.join(tempDir('zke-canal'), 'objects.yaml');
  fs.writeFileSync(file, yaml);
  await k('apply', '-f', file);
}

/** Whether an HTTP GET from pod `from` to the server's pod IP on `port` is answered within 3 s. */
async function answers(k: Kubectl, from: string, ip: string, port: number): Promise<boolean> {
  const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${ip} ${port} || true`;
  const page = await k('exec', '-n', NS, from, '--', 'sh', '-c', get);
  return /200 OK/.test(page);
}

/** Waits until every (pod, port) is answered as `expected` says, then checks it holds 3 times more. */
async function reachability(k: Kubectl, ip: string, expected: [string, number, boolean][]): Promise<void> {
  const matches = async () => {
    for (const [from, port, open] of expected) {
      assert.equal(
        await answers(k, from, ip, port),
        open,
        `${from} → server:${port} ${open ? 'open' : 'blocked'}`,
      );
    }
  };
  await eventually(JSON.stringify(expected), matches, 120_000);
  for (let i = 0; i < 3; i++) await matches();
}

test(
  'canal (RKE-format file, no network.plugin): default-deny blocks pod-to-pod across hosts, an allow rule reopens exactly its port for its pods',
  { skip, timeout: 1_800_000 },
  async () => {
    const hosts = await labUp(3);
    await labImages();
    const extra = { network: { options: { canal_flannel_backend_type: 'host-gw' } } };
    const spec = labSpec('canal', hosts, ROLES, { format: 'rke', extra });
    assert.equal(spec.network.plugin, 'canal', 'an RKE-format file without network.plugin runs canal');
    const started = Date.now();
    const k = await provision({ t: lab.t, taskQueue: lab.taskQueue }, spec);
    await k('rollout', 'status', '-n', 'kube-system', 'daemonset/kube-router', '--timeout=300s');
    for (const host of hosts) {
      const vxlan = await labExec(host.name, ['ip', 'link', 'show', 'flannel.1']);
      assert.notEqual(vxlan.code, 0, `${host.name}: host-gw sets up no VXLAN device`);
    }
    const ready = await k(
      'get',
      'daemonset',
      '-n',
      'kube-system',
      'kube-router',
      '-o',
      'jsonpath={.status.numberReady}',
    );
    assert.equal(ready, '3', 'the policy controller runs on every host');
    console.log(`provisioned with canal in ${Math.round((Date.now() - started) / 1000)} s`);

    await apply(k, workloads());
    await k(
      'wait',
      '-n',
      NS,
      '--for=condition=Ready',
      'pod/server',
      'pod/client',
      'pod/bystander',
      '--timeout=300s',
    );
    const ip = (await k('get', 'pod', '-n', NS, 'server', '-o', 'jsonpath={.status.podIP}')).trim();

    // no policy: both reach both ports, across hosts (zlab3 → zlab2 over VXLAN) and on the server's host
    const all = (open: boolean, client = open): [string, number, boolean][] => [
      ['client', ALLOWED, client],
      ['client', OTHER, open],
      ['bystander', ALLOWED, open],
      ['bystander', OTHER, open],
    ];
    await reachability(k, ip, all(true));
    // default deny: nothing reaches the server
    await apply(k, DENY_ALL);
    await reachability(k, ip, all(false));
    // the allow rule: the client on 8080 only; 8081 stays blocked, and so does the bystander
    await apply(k, ALLOW_CLIENT);
    await reachability(k, ip, all(false, true));
    // the policies removed: open again
    await k('delete', 'networkpolicy', '-n', NS, '--all');
    await reachability(k, ip, all(true));
  },
);
