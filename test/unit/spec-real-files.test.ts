// Real cluster.yml files nobody here wrote (RKE's documented examples, `rke config` output, zke's user guide,
// users' repositories; each names its source at its top), judged as RKE or zke judges them: a valid file
// validates and plans, an invalid one fails naming the field RKE (or zke, for zke's format) names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { suite, test } from 'node:test';
import { addonObjects, addonsFor } from '../../model/addons/index.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { type ClusterSpec, type NetworkPlugin, parseClusterSpec } from '../../model/spec/index.ts';

const DIR = new URL('../fixtures/real/', import.meta.url);
const read = (file: string) => fs.readFileSync(new URL(file, DIR), 'utf8');

interface Verdict {
  /** The fields the errors must name (RKE's or zke's first complaint among them); none: the file is valid. */
  readonly errors?: readonly string[];
  /** Why the verdict is what it is, where zke's differs from what RKE would say. */
  readonly note?: string;
  /** The network plugin a valid file runs: canal for an RKE-format file without one, as in RKE. */
  readonly plugin?: NetworkPlugin;
}

const VERDICTS: Readonly<Record<string, Verdict>> = {
  'rke-docs-minimal.yml': { plugin: 'canal', note: 'no network.plugin: RKE runs canal' },
  'rke-docs-full.yml': {
    errors: ['kubernetes_version', 'cloud_provider'],
    note: 'RKE refuses v1.10.3-rancher2 (not in its version table); zke refuses cloud_provider',
  },
  'zke-user-guide-generateconfig.yml': {
    errors: ['nodes[0].address', 'nodes[0].roles'],
    note: 'zke: "Address for host (1) is not provided", as `zke generateconfig` leaves it blank',
  },
  'zke-user-guide.yml': { plugin: 'flannel', note: "zke's format without network.plugin: flannel, as zke" },
  'rke-config-blank.yml': {},
  'rke-config-calico.yml': {
    errors: ['network.plugin'],
    note: 'RKE runs calico; zke refuses it, naming the plugins it runs',
  },
  'rke-config-canal.yml': { plugin: 'canal' },
  'rke-config-canal-keys.yml': { plugin: 'canal' },
  'rke-twelve-nodes.yml': {},
  'rke-danbooru.yml': {
    errors: ['kubernetes_version'],
    note: 'RKE 1.6 no longer has v1.20',
  },
  'rke-rancher-ha.yml': {},
  'rke-home-v1.17.yml': {
    errors: ['kubernetes_version'],
    note: 'RKE 1.6 no longer has v1.17; its cluster_name lindsey.local is a valid name',
  },
};

function failures(text: string) {
  const result = parseClusterSpec(text);
  return result.ok ? [] : result.errors;
}

/** What `zke plan` computes: every host's containers and files, and every addon's objects. */
function plans(spec: ClusterSpec): void {
  const plan = buildPlan(spec);
  assert.deepEqual(plan.hosts.map((h) => h.name).sort(), spec.nodes.map((n) => n.name).sort());
  for (const addon of addonsFor(spec)) assert.ok(addonObjects(spec, addon).length > 0, addon);
}

function validates(text: string): ClusterSpec {
  const result = parseClusterSpec(text);
  if (!result.ok) assert.fail(`expected a valid spec, got ${JSON.stringify(result.errors, null, 1)}`);
  return result.spec;
}

suite('real cluster.yml files', () => {
  test('at least ten files, each naming its source at its top', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yml'));
    assert.ok(files.length >= 10, `${files.length} files`);
    assert.deepEqual(files.sort(), Object.keys(VERDICTS).sort(), 'every file has a verdict here');
    for (const file of files) assert.match(read(file), /^# (Source|The shape)/, file);
  });

  for (const [file, verdict] of Object.entries(VERDICTS)) {
    const label = verdict.errors ? `fails naming ${verdict.errors.join(', ')}` : 'validates and plans';
    const plugin = verdict.plugin ? ` with ${verdict.plugin}` : '';
    test(`${file}: ${label}${plugin}`, () => {
      const text = read(file);
      if (verdict.errors) {
        const paths = failures(text).map((e) => e.path);
        for (const path of verdict.errors)
          assert.ok(paths.includes(path), `${path} not in ${paths.join(', ')}`);
      } else {
        const spec = validates(text);
        plans(spec);
        if (verdict.plugin) assert.equal(spec.network.plugin, verdict.plugin);
        const daemonSets = addonObjects(spec, 'network').filter((o) => o.kind === 'DaemonSet');
        const expected = spec.network.plugin === 'canal' ? ['kube-flannel', 'kube-router'] : ['kube-flannel'];
        assert.deepEqual(
          daemonSets.map((o) => o.metadata.name),
          expected,
        );
      }
    });
  }
});
