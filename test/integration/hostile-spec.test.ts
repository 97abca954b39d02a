// Shell-injection strings in every string field of a spec that reaches a host: validation rejects them naming
// the field, or they reach the plan verbatim as one argv/env element; on lab hosts (one provision with every
// surviving value), no command in them ran: no marker file on any host nor on this machine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, test } from 'node:test';
import { buildPlan } from '../../model/plan/index.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
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
import { currentLab, type LabHost, labExec } from '../support/lab.ts';
import { useLabSuite } from '../support/labSuite.ts';

const MARKER = '/tmp/pwned';
const PAYLOADS = [
  `; touch ${MARKER}`,
  `$(touch ${MARKER})`,
  `\`touch ${MARKER}\``,
  `x'; touch ${MARKER}; '`,
  `x" && touch ${MARKER} && "`,
  `a\ntouch ${MARKER}`,
  `| touch ${MARKER}`,
];

// biome-ignore lint/suspicious/noExplicitAny: a YAML document under test
type Doc = Record<string, any>;

interface Field {
  /** The error path validation must report when it rejects the value. */
  path: string;
  set(doc: Doc, value: string): void;
}

const node0 = (doc: Doc) => doc.nodes[0];
const kubelet = (doc: Doc) => doc.core.kubelet;
const FIELDS: Field[] = [
  {
    path: 'cluster_name',
    set: (d, v) => {
      d.cluster_name = v;
    },
  },
  {
    path: 'nodes[0].name',
    set: (d, v) => {
      node0(d).name = v;
    },
  },
  {
    path: 'nodes[0].hostname_override',
    set: (d, v) => {
      node0(d).hostname_override = v;
    },
  },
  {
    path: 'nodes[0].address',
    set: (d, v) => {
      node0(d).address = v;
    },
  },
  {
    path: 'nodes[0].internal_address',
    set: (d, v) => {
      node0(d).internal_address = v;
    },
  },
  {
    path: 'nodes[0].user',
    set: (d, v) => {
      node0(d).user = v;
    },
  },
  {
    path: 'nodes[0].docker_socket',
    set: (d, v) => {
      node0(d).docker_socket = v;
    },
  },
  {
    path: 'nodes[0].ssh_key_path',
    set: (d, v) => {
      node0(d).ssh_key_path = v;
    },
  },
  {
    path: 'nodes[0].labels',
    set: (d, v) => {
      node0(d).labels = { [v]: 'x' };
    },
  },
  {
    path: 'nodes[0].labels.app',
    set: (d, v) => {
      node0(d).labels = { app: v };
    },
  },
  {
    path: 'nodes[0].taints[0]',
    set: (d, v) => {
      node0(d).taints = [{ key: 'k', value: v, effect: 'NoSchedule' }];
    },
  },
  {
    path: 'core.kubelet.extra_args',
    set: (d, v) => {
      kubelet(d).extra_args = { [v]: 'x' };
    },
  },
  {
    path: 'core.kubelet.extra_args.provider-id',
    set: (d, v) => {
      kubelet(d).extra_args['provider-id'] = v;
    },
  },
  {
    path: 'core.kubelet.extra_env[0]',
    set: (d, v) => {
      kubelet(d).extra_env = [`HOSTILE=${v}`];
    },
  },
  {
    path: 'core.kubelet.extra_env[0]',
    set: (d, v) => {
      kubelet(d).extra_env = [v];
    },
  },
  {
    path: 'core.kubelet.extra_binds[0]',
    set: (d, v) => {
      kubelet(d).extra_binds = [`/tmp/${v}:/x`];
    },
  },
  {
    path: 'core.kubelet.image',
    set: (d, v) => {
      kubelet(d).image = v;
    },
  },
  {
    path: 'core.kubelet.cluster_domain',
    set: (d, v) => {
      kubelet(d).cluster_domain = v;
    },
  },
  {
    path: 'option.prefix_path',
    set: (d, v) => {
      d.option.prefix_path = `/opt/${v}`;
    },
  },
  {
    path: 'option.kubernetes_version',
    set: (d, v) => {
      d.option.kubernetes_version = v;
    },
  },
  {
    path: 'private_registries[0].url',
    set: (d, v) => {
      d.private_registries = [{ url: v, user: 'u', password: 'p' }];
    },
  },
  {
    path: 'private_registries[0].user',
    set: (d, v) => {
      d.private_registries = [{ url: 'r.example:5000', user: v, password: 'p' }];
    },
  },
  {
    path: 'private_registries[0].password',
    set: (d, v) => {
      d.private_registries = [{ url: 'r.example:5000', user: 'u', password: v }];
    },
  },
  {
    path: 'authentication.sans[0]',
    set: (d, v) => {
      d.authentication = { sans: [v] };
    },
  },
  {
    path: 'network.options',
    set: (d, v) => {
      d.network = { plugin: 'flannel', options: { flannel_iface: v } };
    },
  },
];

const FAKE_HOSTS: LabHost[] = [{ name: 'zlab1', address: '10.77.9.11', user: 'root', port: 22 }];

function hostileDoc(field: Field, value: string): Doc {
  const doc = labClusterYaml('hostile', FAKE_HOSTS, { zlab1: ['etcd', 'controlplane', 'worker'] });
  field.set(doc, value);
  return doc;
}

/** Every plan string (argv, env, binds, files) on every host, to find a value verbatim. */
function planStrings(doc: Doc): string[] {
  return buildPlan(parseOrThrow(doc)).hosts.flatMap((h) => [
    ...h.containers.flatMap((c) => [...c.command, ...c.env, ...c.binds]),
    ...h.files.map((f) => f.path),
  ]);
}

const accepted: { field: Field; value: string }[] = [];

test('hostile strings are rejected naming the field, or planned verbatim as inert data', () => {
  const multiline: string[] = [];
  for (const field of FIELDS) {
    for (const value of PAYLOADS) {
      const doc = hostileDoc(field, value);
      const parsed = parseClusterSpec(doc);
      const what = `${field.path} = ${JSON.stringify(value)}`;
      if (!parsed.ok) {
        assert.ok(
          parsed.errors.some((e) => e.path.startsWith(field.path)),
          `${what}: the rejection names the field (got ${JSON.stringify(parsed.errors)})`,
        );
        continue;
      }
      accepted.push({ field, value });
      const strings = planStrings(doc);
      const carried = strings.some((s) => s.includes(value));
      assert.ok(carried || !/extra_(args|env)/.test(field.path), `${what}: reaches the plan verbatim`);
      if (carried && value.includes('\n')) multiline.push(field.path);
    }
  }
  assert.deepEqual(multiline, [], 'no value with a newline reaches a command line, env or path');
});

// ---- lab: one provision carrying the values that pass validation in fields a container sees ----

const skip = k8sSkipReason();
const ROLES: RoleMap = { zlab1: ['etcd', 'controlplane', 'worker'] };
const SURVIVORS = PAYLOADS.filter((p) => !p.includes('\n'));
before(() => fs.rmSync(MARKER, { force: true }));
const lab = useLabSuite(1, skip);

function hostileLabSpec() {
  const env = SURVIVORS.map((v, i) => `HOSTILE_${i}=${v}`);
  const doc: Doc = labClusterYaml('hostile', lab.hosts, ROLES, {
    extra: {
      private_registries: [{ url: currentLab().registry, user: SURVIVORS[1], password: SURVIVORS[3] }],
    },
  });
  for (const service of ['etcd', 'kube-api', 'kubelet', 'kubeproxy']) {
    doc.core[service] = { ...doc.core[service], extra_env: env };
  }
  return parseOrThrow(doc);
}

test(
  'surviving hostile values reach the lab host as data: nothing runs them',
  { skip, timeout: 600_000 },
  async () => {
    const spec = hostileLabSpec();
    const result = await runOperation(lab.t.client, lab.taskQueue, 'provisionCluster', {
      cluster: 'hostile',
      revision: submitRevision(spec),
    }).catch((err: Error) => assert.fail(`provision failed: ${causes(err)}`));
    assert.equal(result.status.phase, 'succeeded', result.summary);
    const kubelet = (await managedContainers('zlab1')).find((c) => c.name === 'kubelet');
    assert.ok(kubelet, 'kubelet runs');
    const inspect = await labExec('zlab1', [
      'docker',
      'inspect',
      '--format',
      '{{json .Config.Env}}',
      'kubelet',
    ]);
    const env = JSON.parse(inspect.stdout) as string[];
    for (const [i, v] of SURVIVORS.entries())
      assert.ok(env.includes(`HOSTILE_${i}=${v}`), `kubelet env has ${v}`);
    for (const h of lab.hosts) {
      const marker = await labExec(h.name, ['test', '-e', MARKER]);
      assert.notEqual(marker.code, 0, `${h.name}: ${MARKER} must not exist`);
    }
    assert.equal(fs.existsSync(MARKER), false, `${MARKER} must not exist on this machine`);
  },
);
