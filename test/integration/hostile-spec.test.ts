// Shell-injection strings in every string field of a spec that reaches a host: validation rejects them naming
// the field, or the plan carries each verbatim as exactly one argv/env element (registry credentials: in the
// kubelet's Docker config.json), or validation ignores the field with a warning naming it. On a lab host, one
// provision carries every surviving value at once: each sits verbatim in the kubelet's argv, env or config.json,
// and no command in them ran: no marker file on the host, in any of its containers, nor on this machine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { before, test } from 'node:test';
import { buildPlan, KUBELET_DOCKER_CONFIG_TEXT, renderTextFile } from '../../model/plan/index.ts';
import { KUBELET_DOCKER_CONFIG } from '../../model/plan/paths.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import {
  causes,
  k8sSkipReason,
  labClusterYaml,
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
  /** An accepted value must be exactly one plan element: this one. */
  element?(value: string): string;
  /** ...or the credentials (user:password) of registry REGISTRY in the kubelet's Docker config.json. */
  auth?(value: string): string;
}

const REGISTRY = 'r.example:5000';

const node0 = (doc: Doc) => doc.nodes[0];
const kubelet = (doc: Doc) => doc.core.kubelet;
const PROVIDER_ID: Field = {
  path: 'core.kubelet.extra_args.provider-id',
  set: (d, v) => {
    kubelet(d).extra_args['provider-id'] = v;
  },
  element: (v) => `--provider-id=${v}`,
};
const ENV_VALUE: Field = {
  path: 'core.kubelet.extra_env[0]',
  set: (d, v) => {
    kubelet(d).extra_env = [`HOSTILE=${v}`];
  },
  element: (v) => `HOSTILE=${v}`,
};
const ENV_ENTRY: Field = {
  path: 'core.kubelet.extra_env[0]',
  set: (d, v) => {
    kubelet(d).extra_env = [v];
  },
  element: (v) => v,
};
const REGISTRY_USER: Field = {
  path: 'private_registries[0].user',
  set: (d, v) => {
    d.private_registries = [{ url: REGISTRY, user: v, password: 'p' }];
  },
  auth: (v) => `${v}:p`,
};
const REGISTRY_PASSWORD: Field = {
  path: 'private_registries[0].password',
  set: (d, v) => {
    d.private_registries = [{ url: REGISTRY, user: 'u', password: v }];
  },
  auth: (v) => `u:${v}`,
};

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
  PROVIDER_ID,
  ENV_VALUE,
  ENV_ENTRY,
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
  REGISTRY_USER,
  REGISTRY_PASSWORD,
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

/** Every plan string (argv, env, binds, file paths) on every host. */
function planStrings(doc: Doc): string[] {
  return buildPlan(parseOrThrow(doc)).hosts.flatMap((h) => [
    ...h.containers.flatMap((c) => [...c.command, ...c.env, ...c.binds]),
    ...h.files.map((f) => f.path),
  ]);
}

/** The credentials (user:password) per registry in a Docker config.json. */
function dockerConfigAuths(json: string): Record<string, string> {
  const { auths } = JSON.parse(json) as { auths: Record<string, { auth: string }> };
  return Object.fromEntries(
    Object.entries(auths).map(([url, { auth }]) => [url, Buffer.from(auth, 'base64').toString('utf8')]),
  );
}

interface Survivor {
  field: Field;
  value: string;
}

/** Every (field, payload) validation accepts. */
function survivors(): Survivor[] {
  return FIELDS.flatMap((field) =>
    PAYLOADS.filter((value) => parseClusterSpec(hostileDoc(field, value)).ok).map((value) => ({
      field,
      value,
    })),
  );
}

const count = (strings: string[], s: string) => strings.filter((x) => x === s).length;

test('hostile strings are rejected naming the field, planned verbatim as one element, or ignored with a warning', () => {
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
      const strings = planStrings(doc);
      if (field.element) {
        assert.equal(count(strings, field.element(value)), 1, `${what}: one plan element is exactly it`);
      } else if (field.auth) {
        const config = dockerConfigAuths(
          renderTextFile(KUBELET_DOCKER_CONFIG_TEXT, parsed.spec, { encryptionKeys: [] }),
        );
        assert.deepEqual(config, { [REGISTRY]: field.auth(value) }, `${what}: the registry's credentials`);
      } else {
        assert.ok(
          parsed.warnings.some((w) => w.path.startsWith(field.path)),
          `${what}: accepted, so it is ignored with a warning naming the field (got ${JSON.stringify(parsed.warnings)})`,
        );
      }
      // an element with a newline would be one in a command line, env or path: none may carry it
      const inside = strings.filter(
        (s) => s.includes(value) && (value.includes('\n') || s !== field.element?.(value)),
      );
      assert.deepEqual(inside, [], `${what}: in no other plan element`);
    }
  }
});

// ---- lab: one provision carrying every value that passes validation ----

const skip = k8sSkipReason();
const ROLES: RoleMap = { zlab1: ['etcd', 'controlplane', 'worker'] };
/** The containers whose services get the hostile extra_env. */
const SERVICES = { etcd: 'etcd', 'kube-api': 'kube-apiserver', kubelet: 'kubelet', kubeproxy: 'kube-proxy' };
before(() => fs.rmSync(MARKER, { force: true }));
const lab = useLabSuite(1, skip);

/** The lab spec with every survivor: one field's several values side by side (a single-valued field: joined). */
function hostileLab() {
  const all = survivors();
  const of = (field: Field) => all.filter((s) => s.field === field).map((s) => s.value);
  const providerId = of(PROVIDER_ID).join(' ');
  const env = [...of(ENV_VALUE).map((v, i) => `HOSTILE_${i}=${v}`), ...of(ENV_ENTRY)];
  const [user = 'u', password = 'p'] = [of(REGISTRY_USER)[0], of(REGISTRY_PASSWORD)[0]];
  const registries = [
    // the lab registry, default: every pull sends these credentials (it asks for none)
    { url: currentLab().registry, user, password, is_default: true },
    ...of(REGISTRY_USER).map((v, i) => ({ url: `user${i}.example:5000`, user: v, password: 'p' })),
    ...of(REGISTRY_PASSWORD).map((v, i) => ({ url: `password${i}.example:5000`, user: 'u', password: v })),
  ];
  const doc: Doc = labClusterYaml('hostile', lab.hosts, ROLES, {
    kubeletArgs: { 'provider-id': providerId },
    extra: { private_registries: registries },
  });
  for (const service of Object.keys(SERVICES)) doc.core[service] = { ...doc.core[service], extra_env: env };
  const carried = [PROVIDER_ID, ENV_VALUE, ENV_ENTRY, REGISTRY_USER, REGISTRY_PASSWORD];
  for (const field of new Set(all.map((s) => s.field))) {
    if (carried.includes(field)) continue;
    assert.ok(!field.element && !field.auth, `${field.path}: reaches a host, so the lab run must check it`);
    field.set(doc, of(field).join(' ')); // a field validation ignores (with a warning)
  }
  const auths = Object.fromEntries(registries.map((r) => [r.url, `${r.user}:${r.password}`]));
  return { spec: parseOrThrow(doc), providerId, env, auths };
}

/** Containers on host (all of them, zke's or not, running or not) that hold the marker file. */
async function containersWithMarker(host: string): Promise<{ checked: number; found: string[] }> {
  const ids = (await labExec(host, ['docker', 'ps', '-aq'])).stdout.split('\n').filter(Boolean);
  const inspected = JSON.parse((await labExec(host, ['docker', 'inspect', ...ids])).stdout) as {
    Name: string;
    State: { Pid: number };
  }[];
  const found: string[] = [];
  for (const { Name: slashed, State: state } of inspected) {
    const name = slashed.replace(/^\//, '');
    // the container's writable layer, and (running) its root as its processes see it, mounts included
    const diff = await labExec(host, ['docker', 'diff', name]);
    assert.equal(diff.code, 0, `${host}: docker diff ${name}: ${diff.stderr}`);
    const inLayer = diff.stdout.split('\n').some((line) => line.endsWith(` ${MARKER}`));
    const root = `/proc/${state.Pid}/root${MARKER}`;
    const inRoot = state.Pid > 0 && (await labExec(host, ['test', '-e', root])).code === 0;
    if (inLayer || inRoot) found.push(name);
  }
  return { checked: inspected.length, found };
}

async function inspected(host: string, name: string): Promise<{ argv: string[]; env: string[] }> {
  const out = await labExec(host, ['docker', 'inspect', name]);
  const [c] = JSON.parse(out.stdout) as {
    Path: string;
    Args: string[];
    Config: { Env: string[] };
  }[];
  assert.ok(c, `${host} runs ${name}`);
  return { argv: [c.Path, ...c.Args], env: c.Config.Env };
}

test(
  'every surviving hostile value reaches the lab host as data: nothing runs it',
  { skip, timeout: 600_000 },
  async (ctx) => {
    const { spec, providerId, env, auths } = hostileLab();
    const outcome = await runOperation(lab.t.client, lab.taskQueue, 'provisionCluster', {
      cluster: 'hostile',
      revision: submitRevision(spec),
    }).catch((err: Error) => err);

    for (const h of lab.hosts) {
      const marker = await labExec(h.name, ['test', '-e', MARKER]);
      assert.notEqual(marker.code, 0, `${h.name}: ${MARKER} must not exist`);
      const { checked, found } = await containersWithMarker(h.name);
      ctx.diagnostic(`${h.name}: ${checked} containers checked for ${MARKER}`);
      assert.deepEqual(found, [], `${h.name}: containers holding ${MARKER}`);
      assert.ok(checked >= Object.keys(SERVICES).length, `${h.name}: ${checked} containers checked`);
    }
    assert.equal(fs.existsSync(MARKER), false, `${MARKER} must not exist on this machine`);

    if (outcome instanceof Error) assert.fail(`provision failed: ${causes(outcome)}`);
    assert.equal(outcome.status.phase, 'succeeded', outcome.summary);
    const kubelet = await inspected('zlab1', 'kubelet');
    assert.equal(count(kubelet.argv, `--provider-id=${providerId}`), 1, 'the provider-id: one argv element');
    for (const name of Object.values(SERVICES)) {
      const { env: actual } = await inspected('zlab1', name);
      for (const e of env)
        assert.equal(count(actual, e), 1, `${name}: one env element is ${JSON.stringify(e)}`);
    }
    const config = await labExec('zlab1', ['cat', KUBELET_DOCKER_CONFIG]);
    assert.deepEqual(dockerConfigAuths(config.stdout), auths, "the registries' credentials, verbatim");
  },
);
