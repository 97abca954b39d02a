// Access over real SSH, without Kubernetes: nodes that only a bastion host can reach (the lab drops their
// sshd's traffic from the lab's root address), reached through `bastion_host`, the check naming the node
// without it and the bastion when the bastion is the problem.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, suite, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pinnedBastionKey } from '../../activities/hostSession.ts';
import { checkClusterHost } from '../../activities/hostsCheck.ts';
import { labClusterYaml, parseOrThrow, submitRevision } from '../support/cluster.ts';
import { labFault } from '../support/faults.ts';
import {
  LAB_SKIP_REASON,
  type LabHost,
  labDown,
  labExec,
  labSsh,
  labUp,
  runCommand,
} from '../support/lab.ts';
import { tempDir } from '../support/tempDir.ts';

const skip = LAB_SKIP_REASON;
const scratch = tempDir('zke-access');
process.env.ZKE_KEYRING ??= path.join(scratch, 'keyring.json');
process.env.ZKE_HOME ??= path.join(scratch, 'home');

let hosts: LabHost[];
let nodes: LabHost[];
let bastion: LabHost;

before(async () => {
  if (skip) return;
  hosts = await labUp(3);
  nodes = hosts.slice(0, 2);
  bastion = hosts[2]!;
  for (const node of nodes) await labFault('bastion-only', node.name, bastion.name);
});
after(async () => {
  if (skip) return;
  await labDown();
});

type Doc = Record<string, unknown>;

/** A cluster of `on` (default: the bastion-only nodes) in `format`, with `bastion_host` when given. */
function storeCluster(
  name: string,
  format: 'zke' | 'rke',
  bastionHost?: Doc,
  o: { on?: LabHost[]; edit?: (doc: Doc) => Doc } = {},
): string {
  const on = o.on ?? nodes;
  const roles = Object.fromEntries(on.map((n) => [n.name, ['etcd', 'controlplane', 'worker']]));
  const extra = bastionHost ? { bastion_host: bastionHost } : {};
  const doc = labClusterYaml(name, on, roles, { format, extra });
  submitRevision(parseOrThrow(o.edit ? o.edit(doc) : doc));
  return name;
}

const bastionOf = (o: Record<string, unknown> = {}) => ({
  address: bastion.address,
  user: 'root',
  ssh_key_path: labSsh.keyPath,
  ...o,
});

async function hostKeyOf(host: string): Promise<string> {
  const r = await labExec(host, ['ssh-keygen', '-l', '-f', '/etc/ssh/ssh_host_ed25519_key.pub']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split(' ')[1]!;
}

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('the check succeeded'),
    (err: Error & { nonRetryable?: boolean; type?: string }) => err,
  );

for (const format of ['zke', 'rke'] as const) {
  test(
    `${format} format: the hosts check reaches bastion-only nodes through bastion_host and pins its key`,
    {
      skip,
    },
    async () => {
      const cluster = storeCluster(`bastion-${format}`, format, bastionOf());
      for (const node of nodes) {
        const facts = await checkClusterHost({ cluster, host: node.name });
        assert.equal(facts.hostname, node.name, 'the node itself answered, through the bastion');
        assert.equal(facts.hostKey, await hostKeyOf(node.name), "the node's own host key");
        assert.equal(facts.bastionHostKey, await hostKeyOf(bastion.name));
      }
      assert.equal(pinnedBastionKey(cluster, bastion.address), await hostKeyOf(bastion.name), 'pinned');
    },
  );
}

test('without bastion_host the check of a bastion-only node fails naming the node', { skip }, async () => {
  const cluster = storeCluster('bastion-none', 'zke');
  const node = nodes[0]!;
  const err = await failureOf(checkClusterHost({ cluster, host: node.name }));
  assert.match(
    err.message,
    new RegExp(`^${node.name}: SSH to root@${node.address}:22: .*(Timed out|timed out)`),
  );
});

test('an unreachable bastion host fails the check naming the bastion and the node', { skip }, async () => {
  const cluster = storeCluster('bastion-down', 'zke', bastionOf({ port: 2222 }));
  const node = nodes[0]!;
  const err = await failureOf(checkClusterHost({ cluster, host: node.name }));
  assert.match(
    err.message,
    new RegExp(
      `^bastion host ${bastion.address} \\(for ${node.name}\\): SSH to root@${bastion.address}:2222: `,
    ),
  );
});

test(
  'a bastion host key other than the pinned one fails non-retryably naming the bastion',
  { skip },
  async () => {
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const cluster = storeCluster('bastion-key', 'rke', bastionOf({ host_key: wrong }));
    const err = await failureOf(checkClusterHost({ cluster, host: nodes[0]!.name }));
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      new RegExp(`^bastion host ${bastion.address} .*does not match the pinned ${wrong}`),
    );
  },
);

test('a node the bastion cannot reach fails naming the node and the bastion', { skip }, async () => {
  const cluster = storeCluster('bastion-nowhere', 'zke', bastionOf());
  await labFault('sshd-stop', nodes[1]!.name);
  try {
    const err = await failureOf(checkClusterHost({ cluster, host: nodes[1]!.name }));
    assert.match(
      err.message,
      new RegExp(
        `^${nodes[1]!.name}: SSH to root@${nodes[1]!.address}:22 through the bastion host root@${bastion.address}:22: `,
      ),
    );
  } finally {
    // sshd-start checks from here that sshd listens: open the node to the lab for that while
    await labFault('bastion-off', nodes[1]!.name);
    await labFault('sshd-start', nodes[1]!.name);
    await labFault('bastion-only', nodes[1]!.name, bastion.name);
  }
});

/** An ssh-agent of the test's own (foreground, on a socket in scratch), holding `keys`; stop() ends it. */
async function startAgent(keys: string[]): Promise<{ sock: string; stop(): void }> {
  const sock = path.join(tempDir('zke-agent'), 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  const stop = () => agent.kill('SIGTERM');
  for (let i = 0; i < 50 && !existsSync(sock); i++) await delay(100);
  const env = { ...process.env, SSH_AUTH_SOCK: sock };
  for (const key of keys) {
    const added = await runCommand('ssh-add', [key], undefined, env);
    if (added.code !== 0) stop();
    assert.equal(added.code, 0, added.stderr);
  }
  return { sock, stop };
}

suite("ssh_agent_auth: keys from the agent at the worker's SSH_AUTH_SOCK", { skip }, () => {
  const missingKey = '/nonexistent/id_ed25519';
  let agent: { sock: string; stop(): void };
  const before_ = process.env.SSH_AUTH_SOCK;
  before(async () => {
    agent = await startAgent([labSsh.keyPath]);
    process.env.SSH_AUTH_SOCK = agent.sock;
  });
  after(() => {
    agent.stop();
    if (before_ === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = before_;
  });

  test("zke format (option.ssh_agent_auth): a host is reached with the agent's key, no key file read", async () => {
    const cluster = storeCluster('agent-zke', 'zke', undefined, {
      on: [bastion],
      edit: (doc) => ({
        ...doc,
        option: { ...(doc.option as Doc), ssh_key_path: missingKey, ssh_agent_auth: true },
      }),
    });
    const facts = await checkClusterHost({ cluster, host: bastion.name });
    assert.equal(facts.hostname, bastion.name);
  });

  test('RKE format (top-level ssh_agent_auth): the bastion and the node behind it both use the agent', async () => {
    const cluster = storeCluster('agent-rke', 'rke', bastionOf({ ssh_key_path: missingKey }), {
      edit: (doc) => ({ ...doc, ssh_agent_auth: true, ssh_key_path: missingKey }),
    });
    for (const node of nodes) {
      assert.equal((await checkClusterHost({ cluster, host: node.name })).hostname, node.name);
    }
  });

  test('an agent without the key: authentication refused, non-retryable, naming the host', async () => {
    const empty = await startAgent([]);
    process.env.SSH_AUTH_SOCK = empty.sock;
    try {
      const cluster = storeCluster('agent-empty', 'rke', undefined, {
        on: [bastion],
        edit: (doc) => ({ ...doc, ssh_agent_auth: true }),
      });
      const err = await failureOf(checkClusterHost({ cluster, host: bastion.name }));
      assert.equal(err.nonRetryable, true);
      assert.match(
        err.message,
        new RegExp(`^${bastion.name}: SSH authentication refused by root@${bastion.address}:22`),
      );
    } finally {
      empty.stop();
      process.env.SSH_AUTH_SOCK = agent.sock;
    }
  });
});

/** A user CA, and a key (in no authorized_keys) with its certificate for root signed by that CA. */
async function userCertificate(): Promise<{ caPub: string; key: string; cert: string }> {
  const dir = tempDir('zke-cert');
  const keygen = async (args: string[]) => {
    const r = await runCommand('ssh-keygen', ['-q', ...args]);
    assert.equal(r.code, 0, r.stderr);
  };
  await keygen(['-t', 'ed25519', '-N', '', '-C', 'zke-test-ca', '-f', path.join(dir, 'ca')]);
  await keygen(['-t', 'ed25519', '-N', '', '-C', 'zke-test-user', '-f', path.join(dir, 'user')]);
  await keygen([
    '-s',
    path.join(dir, 'ca'),
    '-I',
    'zke-test',
    '-n',
    'root',
    '-V',
    '+1h',
    path.join(dir, 'user.pub'),
  ]);
  return {
    caPub: readFileSync(path.join(dir, 'ca.pub'), 'utf8'),
    key: path.join(dir, 'user'),
    cert: path.join(dir, 'user-cert.pub'),
  };
}

/** `host`'s sshd trusts user certificates signed by the CA `caPub` (TrustedUserCAKeys), restarted. A restart,
 *  not SIGHUP: sshd re-execs on HUP and refuses connections for a moment; sshd-start waits until it listens. */
async function trustUserCa(host: string, caPub: string): Promise<void> {
  const script = `cat > /etc/ssh/zke_user_ca.pub &&
echo 'TrustedUserCAKeys /etc/ssh/zke_user_ca.pub' >> /etc/ssh/sshd_config.d/zlab.conf`;
  const r = await labExec(host, ['sh', '-c', script], caPub);
  assert.equal(r.code, 0, r.stderr);
  await labFault('sshd-stop', host);
  await labFault('sshd-start', host);
}

suite('ssh_cert / ssh_cert_path: a user certificate signed by a CA the host trusts', { skip }, () => {
  let ca: { caPub: string; key: string; cert: string };
  before(async () => {
    ca = await userCertificate();
    await trustUserCa(bastion.name, ca.caPub);
  });

  test('RKE format (top-level ssh_cert_path): a key in no authorized_keys logs in with its certificate', async () => {
    const cluster = storeCluster('cert-rke', 'rke', undefined, {
      on: [bastion],
      edit: (doc) => ({ ...doc, ssh_key_path: ca.key, ssh_cert_path: ca.cert }),
    });
    assert.equal((await checkClusterHost({ cluster, host: bastion.name })).hostname, bastion.name);
  });

  test("zke format (the bastion's inline ssh_cert): the nodes behind it are reached through it", async () => {
    const cert = readFileSync(ca.cert, 'utf8');
    const cluster = storeCluster('cert-zke', 'zke', bastionOf({ ssh_key_path: ca.key, ssh_cert: cert }));
    for (const node of nodes) {
      assert.equal((await checkClusterHost({ cluster, host: node.name })).hostname, node.name);
    }
  });

  test('the same key without its certificate is refused, non-retryably, naming the host', async () => {
    const cluster = storeCluster('cert-none', 'rke', undefined, {
      on: [bastion],
      edit: (doc) => ({ ...doc, ssh_key_path: ca.key }),
    });
    const err = await failureOf(checkClusterHost({ cluster, host: bastion.name }));
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      new RegExp(`^${bastion.name}: SSH authentication refused by root@${bastion.address}:22`),
    );
  });
});
