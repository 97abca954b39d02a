// A hardened cluster the way an RKE user asks for one (secrets encryption, audit log, restricted PodSecurity,
// event rate limit), reached as a docker-group user, checked on the running cluster, then its encryption key
// rotated with the worker killed mid-way, and a snapshot from before the rotation restored with its own key; and
// the preflight port check refusing a host whose kubelet port something else holds. One host:
// every claim here holds on one control-plane host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { store } from '../../activities/clusterState.ts';
import { readEncryptionKeys } from '../../common/stateExport.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import {
  allContainers,
  causes,
  k8sSkipReason,
  LAB_DOCKER_USER,
  LAB_KUBECTL,
  labClusterYaml,
  runOperation,
  submitRevision,
} from '../support/cluster.ts';
import { activityAttempts, waitForStartedActivity } from '../support/faults.ts';
import { adminKubeconfigFile, eventually, kubectl } from '../support/kubectl.ts';
import { currentLab, labExec } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';
import { tempDir } from '../support/tempDir.ts';
import { spawnWorker } from '../support/workerProcess.ts';

const skip = k8sSkipReason();
const lab = useLabSuite(1, skip);
const ALL_ROLES = { zlab1: ['etcd', 'controlplane', 'worker'] };
const AUDIT_LOG = '/var/log/kube-audit/audit-log.json';
const [ETCD_UID, ETCD_GID] = [52034, 52035];

/** core.kube-api of the hardened cluster. */
const HARDENED = {
  secrets_encryption_config: { enabled: true },
  audit_log: {
    enabled: true,
    configuration: { path: AUDIT_LOG, max_age: 3, max_backup: 2, max_size: 10 },
  },
  pod_security_configuration: 'restricted',
  event_rate_limit: { enabled: true },
};

/** The snapshot the key rotation test takes first, under the old key; the test after it restores it. */
const BEFORE_ROTATION = 'before-rotation';

/** The lab's spec (its kubelet and kube-proxy args kept) with `kubeApi` as core.kube-api and `more` merged into the
 *  other core sections. */
async function provision(
  name: string,
  kubeApi: Record<string, unknown> = {},
  more: Record<string, Record<string, unknown>> = {},
  extra: Record<string, unknown> = {},
  user = 'root',
) {
  const doc = labClusterYaml(name, lab.hosts, ALL_ROLES, { extra, user });
  const core = doc.core as Record<string, object | undefined>;
  const merged = Object.fromEntries(Object.entries(more).map(([k, v]) => [k, { ...core[k], ...v }]));
  const parsed = parseClusterSpec({ ...doc, core: { ...core, ...merged, 'kube-api': kubeApi } });
  const ignored = parsed.warnings.filter((w) => /kube-api|kubelet|etcd/.test(w.path));
  assert.ok(parsed.ok && ignored.length === 0, `every key given is honoured: ${JSON.stringify(ignored)}`);
  const { spec } = parsed;
  return runOperation(lab.t.client, lab.taskQueue, 'provisionCluster', {
    cluster: name,
    revision: submitRevision(spec),
  });
}

async function onHost(...argv: string[]): Promise<string> {
  const out = await labExec('zlab1', argv);
  assert.equal(out.code, 0, `${argv.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

function privilegedPod(namespace: string): string {
  const file = path.join(tempDir('zke-psa'), `${namespace}.json`);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'privileged', namespace },
    spec: {
      containers: [
        {
          name: 'c',
          image: 'zke/tools:v1',
          command: ['sleep', '3600'],
          securityContext: { privileged: true },
        },
      ],
    },
  };
  fs.writeFileSync(file, JSON.stringify(pod));
  return file;
}

/** The certificate the kubelet at `address` serves, verified against `ca` for that address (throws when not). */
function kubeletCertificate(address: string, ca: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port: 10250, ca, timeout: 10_000 }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.on('error', reject);
    socket.on('timeout', () => socket.destroy(new Error(`no TLS answer from ${address}:10250 in 10 s`)));
  });
}

/** The lab's password registry as the default registry of every image, with this password. */
function passwordRegistry(password: string) {
  const url = currentLab().passwordRegistry;
  return { private_registries: [{ url, user: 'puller', password, is_default: true }] };
}

test(
  'a wrong registry password fails the first pull at once, not retried, naming the image and the registry',
  { skip, timeout: 300_000 },
  async () => {
    const failure = await provision('denied', {}, {}, passwordRegistry('wrong-password')).then(
      () => assert.fail('provisioned with a wrong registry password'),
      (err: Error) => err,
    );
    const registry = currentLab().passwordRegistry.replaceAll('.', '\\.');
    assert.match(
      causes(failure),
      new RegExp(
        `zlab1: cannot pull ${registry}/zke/\\S+ from registry ${registry}: it refused access \\(wrong or missing credentials`,
      ),
    );
    const attempts = await activityAttempts(lab.t.client.workflow.getHandle(clusterWorkflowId('denied')));
    assert.ok(attempts.length > 0 && attempts.every((a) => a.attempt === 1), JSON.stringify(attempts));
  },
);

test(
  'a port another process holds on a host fails the port check, naming host and port',
  { skip, timeout: 300_000 },
  async () => {
    await onHost(
      'docker',
      'run',
      '-d',
      '--name',
      'port-squatter',
      '--network',
      'host',
      'zke/tools:v1',
      'nc',
      '-l',
      '-p',
      '10250',
    );
    try {
      await assert.rejects(provision('squatted'), (err) => {
        assert.match(
          causes(err),
          /port check failed on 1 host\(s\): zlab1: port 10250\/tcp \(kubelet\) already in use on 10\.77\.\d+\.11/,
        );
        return true;
      });
    } finally {
      await onHost('docker', 'rm', '-f', 'port-squatter');
    }
    const left = await allContainers('zlab1');
    assert.ok(
      !left.some((c) => c.startsWith('zke-port') || c === 'etcd'),
      `nothing was started: ${left.join(', ')}`,
    );
  },
);

test(
  'hardened cluster: Secrets encrypted in etcd, audit log written, restricted PodSecurity, event rate limit, kubelet serving certificate, etcd as its own user, images from a password registry',
  { skip, timeout: 1_200_000 },
  async () => {
    const result = await provision(
      'hardened',
      HARDENED,
      { kubelet: { generate_serving_certificate: true }, etcd: { uid: ETCD_UID, gid: ETCD_GID } },
      passwordRegistry(currentLab().passwordRegistryPassword()),
      LAB_DOCKER_USER,
    );
    assert.equal(result.status.phase, 'succeeded', result.summary);
    // zke logged in as a user with Docker and nothing more: what needed root ran in a container, as root
    assert.equal((await onHost('id', '-nG', LAB_DOCKER_USER)).trim(), `${LAB_DOCKER_USER} docker`);
    assert.equal((await onHost('stat', '-c', '%U %a', '/etc/kubernetes/ssl/kube-ca.pem')).trim(), 'root 644');
    const k = kubectl(LAB_KUBECTL, adminKubeconfigFile('hardened'));

    // a Secret is readable through the API and sealed in etcd: the raw value carries the provider's prefix
    await k('create', 'secret', 'generic', 'canary', '--from-literal=password=plain-canary-value');
    assert.match(
      await k('get', 'secret', 'canary', '-o', 'jsonpath={.data.password}'),
      /^cGxhaW4tY2FuYXJ5LXZhbHVl$/,
    );
    const raw = await onHost('docker', 'exec', 'etcd', 'etcdctl', 'get', '/registry/secrets/default/canary');
    assert.match(raw, /k8s:enc:secretbox:v1:/);
    assert.doesNotMatch(raw, /plain-canary-value/);
    // the key is in the store and nowhere in the workflow's history
    const keys = readEncryptionKeys(store(), 'hardened');
    const history = await lab.t.client.workflow.getHandle(clusterWorkflowId('hardened')).fetchHistory();
    assert.ok(!JSON.stringify(history).includes(keys[0]!.secret), 'the encryption key is not in the history');

    // etcd uid/gid: the etcd process runs as that user, which owns the data directory (0700); etcdctl above ran
    // in the etcd container as that user, so its key is readable by it
    assert.equal(
      (await onHost('docker', 'inspect', '-f', '{{.Config.User}}', 'etcd')).trim(),
      `${ETCD_UID}:${ETCD_GID}`,
    );
    const etcdIds = await onHost(
      'sh',
      '-c',
      'stat -c %u:%g "/proc/$(docker inspect -f {{.State.Pid}} etcd)"',
    );
    assert.equal(etcdIds.trim(), `${ETCD_UID}:${ETCD_GID}`);
    const binds = await onHost(
      'docker',
      'inspect',
      '-f',
      '{{range .HostConfig.Binds}}{{println .}}{{end}}',
      'etcd',
    );
    const dataDir = binds
      .split('\n')
      .find((b) => b.endsWith(':/var/lib/zke/etcd'))!
      .split(':')[0]!;
    assert.equal((await onHost('stat', '-c', '%u:%g %a', dataDir)).trim(), `${ETCD_UID}:${ETCD_GID} 700`);

    // every image came from the password registry: zke's pulls and the kubelet's (the addons' pods) alike
    await eventually('the images pulled from the password registry', async () => {
      const images = (await onHost('docker', 'images', '--format', '{{.Repository}}')).split('\n');
      for (const image of ['zke/hyperkube', 'zke/etcd', 'zke/flannel', 'zke/coredns']) {
        assert.ok(
          images.includes(`${currentLab().passwordRegistry}/${image}`),
          `${image}: ${images.join(' ')}`,
        );
      }
    });

    // the audit log on the control-plane host records the request that created the Secret
    const audit = await onHost('cat', AUDIT_LOG);
    assert.match(audit, /"objectRef":\{"resource":"secrets","namespace":"default","name":"canary"/);

    // restricted PodSecurity: a privileged pod is refused, except in an exempt namespace (kube-system)
    await assert.rejects(
      k('apply', '-f', privilegedPod('default')),
      /violates PodSecurity "restricted:latest"/,
    );
    assert.match(await k('apply', '-f', privilegedPod('kube-system'), '--dry-run=server'), /created/);

    // generate_serving_certificate: the kubelet serves the certificate kube-ca signed for its address (checked from
    // outside with the CA, the address as the expected name), and the API server, which now verifies kubelets
    // against kube-ca, still reaches it (its node proxy, as logs and exec)
    const ca = await onHost('cat', '/etc/kubernetes/ssl/kube-ca.pem');
    const address = lab.hosts[0]!.address;
    const served = await kubeletCertificate(address, ca);
    assert.equal(served.subject.CN, `kube-kubelet-${address.replaceAll('.', '-')}`);
    assert.match(
      served.subjectaltname ?? '',
      new RegExp(`IP Address:${address.replaceAll('.', '\\.')}(,|$)`),
    );
    assert.equal(await k('get', '--raw', `/api/v1/nodes/${lab.hosts[0]!.name}/proxy/healthz`), 'ok');
    // metrics-server verifies the kubelet against kube-ca too (no --kubelet-insecure-tls) and still scrapes it
    const top = await eventually('kubectl top nodes', () => k('top', 'nodes', '--no-headers'), 300_000);
    assert.match(top, new RegExp(`^${lab.hosts[0]!.name}\\s+\\d+m`));

    // the API server loaded the EventRateLimit admission plugin with its configuration
    const logs = await labExec('zlab1', ['docker', 'logs', 'kube-apiserver']);
    assert.match(
      logs.stdout + logs.stderr,
      /validating admission controller\(s\) successfully in the following order: [^\n]*EventRateLimit/,
    );
  },
);

/** Every Secret's raw value in etcd, by key (etcdctl's JSON output, base64 decoded). */
async function rawSecrets(): Promise<Map<string, string>> {
  const out = await onHost(
    'docker',
    'exec',
    'etcd',
    'etcdctl',
    'get',
    '--prefix',
    '/registry/secrets/',
    '-w',
    'json',
  );
  const kvs = (JSON.parse(out) as { kvs?: { key: string; value: string }[] }).kvs ?? [];
  const text = (b64: string) => Buffer.from(b64, 'base64').toString('latin1');
  return new Map(kvs.map((kv) => [text(kv.key), text(kv.value)]));
}

test(
  'zke encrypt rotate-key on the hardened cluster, its worker SIGKILLed mid-rewrite: every Secret ends under the new key, all readable',
  { skip, timeout: 900_000 },
  async (t) => {
    const k = kubectl(LAB_KUBECTL, adminKubeconfigFile('hardened'));
    const COUNT = 1000;
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: Array.from({ length: COUNT }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `rot-${i}`, namespace: 'default' },
        stringData: { value: `value-${i}` },
      })),
    };
    const file = path.join(tempDir('zke-keyrot'), 'secrets.json');
    fs.writeFileSync(file, JSON.stringify(list));
    await k('apply', '-f', file);
    const [old] = readEncryptionKeys(store(), 'hardened').map((key) => key.name);
    // a snapshot under the old key, restored by the next test
    const snapshot = await runOperation(lab.t.client, lab.taskQueue, 'snapshotEtcd', {
      cluster: 'hardened',
      name: BEFORE_ROTATION,
    });
    assert.equal(snapshot.status.phase, 'succeeded', snapshot.summary);

    // the rotation on a worker of its own, SIGKILLed once the rewrite runs; a second worker finishes it
    const queue = `keyrot-${process.pid}`;
    const logFile = path.join(tempDir('zke-keyrot-worker'), 'worker.log');
    let worker = await spawnWorker(lab.t.address, queue, logFile);
    const handle = await lab.t.client.workflow.start('rotateEncryptionKey', {
      taskQueue: queue,
      workflowId: clusterWorkflowId('hardened'),
      args: [{ cluster: 'hardened' }],
    });
    // polled often: the rewrite of a few hundred Secrets takes seconds
    await waitForStartedActivity(handle, 'the rewrite', (type) => type === 'rewriteSecrets');
    await worker.kill('SIGKILL');
    worker = await spawnWorker(lab.t.address, queue, logFile);
    try {
      const result = (await handle.result()) as OperationResult;
      assert.equal(result.status.phase, 'succeeded', result.summary);
    } finally {
      await worker.kill('SIGTERM');
    }
    const rewrites = (await activityAttempts(handle)).filter((a) => a.type === 'rewriteSecrets');
    t.diagnostic(`rewriteSecrets attempts: ${rewrites.map((a) => a.attempt).join(', ')}`);
    assert.ok(
      rewrites.some((a) => a.attempt >= 2),
      `the kill interrupted the rewrite: it ran again (${JSON.stringify(rewrites)})`,
    );

    // one key left, a new one; encryption.yaml on the host names only it; every Secret in etcd sealed with it
    const keys = readEncryptionKeys(store(), 'hardened');
    assert.equal(keys.length, 1);
    const next = keys[0]!.name;
    assert.notEqual(next, old);
    const config = await onHost('cat', '/etc/kubernetes/ssl/encryption.yaml');
    assert.ok(
      config.includes(next) && !config.includes(old!),
      `encryption.yaml names ${next} only: ${config}`,
    );
    const raw = await rawSecrets();
    assert.ok(raw.size >= COUNT, `${raw.size} Secrets in etcd`);
    const other = [...raw].filter(([, value]) => !value.startsWith(`k8s:enc:secretbox:v1:${next}:`));
    assert.deepEqual(
      other.map(([key, value]) => `${key}: ${value.slice(0, 40)}`),
      [],
      'every Secret under the new key',
    );
    // and readable through the API, with the old key gone
    assert.equal(
      await k('get', 'secret', `rot-${COUNT - 1}`, '-o', 'jsonpath={.data.value}'),
      Buffer.from(`value-${COUNT - 1}`).toString('base64'),
    );
    const names = await k('get', 'secrets', '-n', 'default', '-o', 'name');
    assert.equal(names.split('\n').filter((n) => n.startsWith('secret/rot-')).length, COUNT);
  },
);

test(
  'a snapshot taken before the key rotation restores with its own key: every Secret of its time reads again',
  { skip, timeout: 600_000 },
  async () => {
    const [rotated] = readEncryptionKeys(store(), 'hardened').map((key) => key.name);
    const restored = await runOperation(lab.t.client, lab.taskQueue, 'restoreEtcd', {
      cluster: 'hardened',
      snapshot: BEFORE_ROTATION,
    });
    assert.equal(restored.status.phase, 'succeeded', restored.summary);
    const [key, ...others] = readEncryptionKeys(store(), 'hardened').map((k) => k.name);
    assert.notEqual(key, rotated, 'the key of the snapshot writes again');
    assert.deepEqual(others, []);
    assert.ok(
      restored.status.events.includes(`secrets encryption keys of ${BEFORE_ROTATION} back in use: ${key}`),
    );
    const config = await onHost('cat', '/etc/kubernetes/ssl/encryption.yaml');
    assert.ok(config.includes(key!) && !config.includes(rotated!), `encryption.yaml names ${key} only`);
    const k = kubectl(LAB_KUBECTL, adminKubeconfigFile('hardened'));
    await eventually('the API server reads the restored Secrets', async () =>
      assert.equal(
        await k('get', 'secret', 'canary', '-o', 'jsonpath={.data.password}'),
        Buffer.from('plain-canary-value').toString('base64'),
      ),
    );
    assert.equal(
      await k('get', 'secret', 'rot-999', '-o', 'jsonpath={.data.value}'),
      Buffer.from('value-999').toString('base64'),
    );
  },
);
