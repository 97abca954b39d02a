// ProvisionCluster on 3 lab hosts over real SSH and each host's dockerd: the planned containers run with the
// planned args, certificates are in place with the right modes, etcd is healthy; re-running changes nothing;
// one changed extra_args value replaces exactly the affected containers; a refused SSH key fails fast. First, on the
// fresh hosts, the port check's activities on their own: every host reaches its peers' ports round after round, a UDP
// port a host's firewall drops is reported, and a peer's UDP port answers at a second address of the peer too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { closePortListeners, openPortListeners, probeHostPorts } from '../../activities/portCheck.ts';
import { buildPlan, SSL_DIR } from '../../model/plan/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { clusterWorkflowId } from '../../workflows/types.ts';
import {
  causes,
  k8sSkipReason,
  labClusterYaml,
  managedContainers,
  parseOrThrow,
  type RoleMap,
  runOperation,
  submitRevision,
} from '../support/cluster.ts';
import { activityAttempts } from '../support/faults.ts';
import { historyTexts, KEY_MATERIAL } from '../support/history.ts';
import { currentLab, labExec } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';
import { tempDir } from '../support/tempDir.ts';

const skip = k8sSkipReason();
const ROLES: RoleMap = {
  zlab1: ['etcd', 'controlplane', 'worker'],
  zlab2: ['etcd', 'worker'],
  zlab3: ['etcd', 'worker', 'edge'],
};
const lab = useLabSuite(3, skip);

function specWith(kubeletArgs: Record<string, string> = {}): ClusterSpec {
  return parseOrThrow(labClusterYaml('prov', lab.hosts, ROLES, { kubeletArgs }));
}

async function provision(spec: ClusterSpec) {
  return runOperation(lab.t.client, lab.taskQueue, 'provisionCluster', {
    cluster: spec.clusterName,
    revision: submitRevision(spec),
  });
}

async function containerIds(): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const h of lab.hosts)
    for (const c of await managedContainers(h.name)) ids[`${h.name}/${c.name}`] = c.id;
  return ids;
}

/** Runs body with the port check's listeners open on every host for a revision of cluster `name`, whose nodes
 *  have the internal addresses `internal` names (host → address). */
async function withPortListeners(
  name: string,
  body: (probe: (host: string) => Promise<number>) => Promise<void>,
  internal: Record<string, string> = {},
): Promise<void> {
  const doc = labClusterYaml(name, lab.hosts, ROLES);
  const nodes = (doc.nodes as { name: string }[]).map((n) =>
    internal[n.name] ? { ...n, internal_address: internal[n.name] } : n,
  );
  const ref = { cluster: name, revision: submitRevision(parseOrThrow({ ...doc, nodes })) };
  const names = lab.hosts.map((h) => h.name);
  const listening: Record<string, string[]> = {};
  try {
    await Promise.all(
      names.map(async (host) => {
        listening[host] = (await openPortListeners({ ...ref, host })).listening;
      }),
    );
    for (const host of names) assert.ok(listening[host]!.includes('8472/udp'), `${host}: ${listening[host]}`);
    await body(async (host) => (await probeHostPorts({ ...ref, host, listening })).probed);
  } finally {
    await Promise.allSettled(names.map((host) => closePortListeners({ ...ref, host })));
  }
}

test(
  'port check on a healthy network: every host reaches its peers (VXLAN UDP included), 6 rounds, all hosts at once',
  { skip, timeout: 300_000 },
  async () => {
    await withPortListeners('ports', async (probe) => {
      for (let round = 0; round < 6; round++) {
        const probed = await Promise.all(lab.hosts.map((h) => probe(h.name)));
        // zlab1 (etcd, control plane): the peers' 2379, 2380, 10250 and 8472/udp; the others: the etcd peers'
        // 2379 and 2380, zlab1's 6443 and the VXLAN peers' 8472/udp
        assert.deepEqual(probed, [8, 7, 7]);
      }
    });
  },
);

test(
  "port check: a host whose firewall drops VXLAN's 8472/udp is reported unreachable, from each peer",
  { skip, timeout: 300_000 },
  async () => {
    const rule = ['INPUT', '-p', 'udp', '--dport', '8472', '-j', 'DROP'];
    await withPortListeners('udp-dropped', async (probe) => {
      const added = await labExec('zlab3', ['iptables', '-I', ...rule]);
      assert.equal(added.code, 0, added.stderr);
      try {
        await Promise.all(
          ['zlab1', 'zlab2'].map((from) =>
            assert.rejects(probe(from), (err: Error) => {
              assert.match(
                err.message,
                new RegExp(
                  `^${from}: cannot reach zlab3 \\(10\\.77\\.\\d+\\.13\\) 8472/udp \\(flannel VXLAN\\): check the firewalls`,
                ),
              );
              return true;
            }),
          ),
        );
      } finally {
        await labExec('zlab3', ['iptables', '-D', ...rule]);
      }
      // the rule gone, the same listeners answer again
      assert.equal(await probe('zlab1'), 8);
    });
  },
);

test(
  'port check: a peer whose internal address is a second address of its interface answers over UDP too (its echo leaves from the first)',
  { skip, timeout: 300_000 },
  async () => {
    const second = `${currentLab().network}.113`;
    const add = await labExec('zlab3', ['ip', 'addr', 'add', `${second}/24`, 'dev', 'eth0']);
    assert.equal(add.code, 0, add.stderr);
    try {
      await withPortListeners('second-address', async (probe) => assert.equal(await probe('zlab1'), 8), {
        zlab3: second,
      });
    } finally {
      await labExec('zlab3', ['ip', 'addr', 'del', `${second}/24`, 'dev', 'eth0']);
    }
  },
);

test(
  'provision runs every planned container with the planned args, certificates in place, etcd healthy',
  { skip, timeout: 900_000 },
  async () => {
    const spec = specWith();
    const result = await provision(spec);
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const plan = buildPlan(spec);
    for (const hostPlan of plan.hosts) {
      const running = await managedContainers(hostPlan.name);
      for (const planned of hostPlan.containers) {
        const c = running.find((r) => r.name === planned.name);
        assert.ok(c, `${hostPlan.name} runs ${planned.name}`);
        assert.equal(c.status, 'running', `${hostPlan.name}/${planned.name} is running`);
        assert.equal(c.image, planned.image);
        assert.deepEqual(c.args, planned.command, `${hostPlan.name}/${planned.name} has the planned args`);
      }
      assert.deepEqual(
        running.map((r) => r.name).sort(),
        hostPlan.containers.map((c) => c.name).sort(),
        `${hostPlan.name} runs nothing else of zke's`,
      );
      for (const file of hostPlan.files) {
        const stat = await labExec(hostPlan.name, ['stat', '-c', '%a', file.path]);
        assert.equal(stat.stdout.trim(), file.mode.toString(8), `${hostPlan.name}:${file.path} mode`);
      }
      const keys = hostPlan.files.filter((f) => f.path.endsWith('-key.pem'));
      assert.ok(keys.length > 0, `${hostPlan.name} has private keys`);
      const modes = await labExec(hostPlan.name, [
        'stat',
        '-c',
        '%a %n',
        SSL_DIR,
        ...keys.map((f) => f.path),
      ]);
      for (const line of modes.stdout.trim().split('\n'))
        assert.match(line, line.endsWith(SSL_DIR) ? /^700 / : /^600 /, `${hostPlan.name}: ${line}`);
    }
    // etcdctl inside the etcd container: its ETCDCTL_* env carries the kube-node client cert and the endpoints.
    const health = await labExec('zlab1', [
      'docker',
      'exec',
      'etcd',
      'etcdctl',
      'endpoint',
      'health',
      '--cluster',
    ]);
    assert.equal(health.code, 0, health.stderr);
    assert.equal((health.stdout + health.stderr).match(/is healthy/g)?.length, 3, 'all 3 members healthy');
  },
);

test(
  'no key material in the workflow history, not even after decrypting every payload',
  { skip },
  async () => {
    const { raw, decoded } = await historyTexts(lab.t.client, clusterWorkflowId('prov'));
    // readable: an activity's result (checkClusterHost's facts), absent from the raw history, decodes as JSON
    assert.match(decoded, /"hostname":"zlab1"/, 'the decoded history is readable');
    assert.doesNotMatch(raw, /"hostname"/, 'activity results are encrypted in Temporal');
    assert.doesNotMatch(decoded, KEY_MATERIAL);
    assert.doesNotMatch(
      raw,
      /"revision"/,
      'inputs and results are encrypted in Temporal (search attributes are not, and hold no secrets)',
    );
  },
);

test('running up again with an unchanged spec replaces nothing', { skip, timeout: 600_000 }, async () => {
  const before = await containerIds();
  const result = await provision(specWith());
  assert.equal(result.status.phase, 'succeeded', result.summary);
  assert.deepEqual(await containerIds(), before);
});

test(
  'changing one kubelet extra_args value replaces exactly the kubelet containers',
  { skip, timeout: 600_000 },
  async () => {
    const before = await containerIds();
    const result = await provision(specWith({ 'max-pods': '150' }));
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const after = await containerIds();
    const changed = Object.keys(after)
      .filter((k) => after[k] !== before[k])
      .sort();
    assert.deepEqual(
      changed,
      lab.hosts.map((h) => `${h.name}/kubelet`),
    );
    const args = (await managedContainers('zlab2')).find((c) => c.name === 'kubelet')!.args;
    assert.ok(args.includes('--max-pods=150'), 'the new value reached the host');
  },
);

test(
  'a host whose SSH refuses the key fails the run fast, non-retryable, naming the host',
  { skip, timeout: 300_000 },
  async () => {
    const dir = tempDir('zke-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'id')]);
    const doc = labClusterYaml('refused', lab.hosts, ROLES);
    (doc.nodes as Record<string, unknown>[])[1].ssh_key_path = path.join(dir, 'id');
    await assert.rejects(provision(parseOrThrow(doc)), (err) => {
      assert.match(causes(err), /zlab2: SSH authentication refused/);
      return true;
    });
    const attempts = await activityAttempts(lab.t.client.workflow.getHandle(clusterWorkflowId('refused')));
    assert.ok(attempts.length > 0);
    assert.deepEqual(
      [...new Set(attempts.map((a) => a.attempt))],
      [1],
      'no activity was retried: the refusal is permanent',
    );
  },
);
