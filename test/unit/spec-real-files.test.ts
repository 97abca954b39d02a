// Real cluster.yml files nobody here wrote (RKE's documented examples, `rke config` output, zke's user guide,
// users' repositories; each names its source at its top), judged as RKE or zke judges them: a valid file
// validates and plans, an invalid one fails naming the field RKE (or zke, for zke's format) names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { suite, test } from 'node:test';
import { addonObjects, addonsFor } from '../../model/addons/index.ts';
import { buildPlan } from '../../model/plan/index.ts';
import { type ClusterSpec, parseClusterSpec } from '../../model/spec/index.ts';
import { parseYaml } from '../../model/spec/yaml.ts';

const DIR = new URL('../fixtures/real/', import.meta.url);
const read = (file: string) => fs.readFileSync(new URL(file, DIR), 'utf8');

interface Verdict {
  /** The fields the errors must name (RKE's or zke's first complaint among them); none: the file is valid. */
  readonly errors?: readonly string[];
  /** Why the verdict is what it is, where zke's differs from what RKE would say. */
  readonly note?: string;
  /** Valid but for canal, which issue 16 item 3 brings: the only error is network.plugin. */
  readonly canal?: true;
}

const VERDICTS: Readonly<Record<string, Verdict>> = {
  'rke-docs-minimal.yml': {},
  'rke-docs-full.yml': {
    errors: ['kubernetes_version', 'cloud_provider'],
    note: 'RKE refuses v1.10.3-rancher2 (not in its version table); zke refuses cloud_provider',
  },
  'zke-user-guide-generateconfig.yml': {
    errors: ['nodes[0].address', 'nodes[0].roles'],
    note: 'zke: "Address for host (1) is not provided", as `zke generateconfig` leaves it blank',
  },
  'zke-user-guide.yml': {},
  'rke-config-blank.yml': {},
  'rke-config-calico.yml': {
    errors: ['network.plugin'],
    note: 'RKE runs calico; zke refuses it, naming the plugins it runs',
  },
  'rke-config-canal.yml': { canal: true },
  'rke-config-canal-keys.yml': { canal: true },
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

/** The same document with `network.plugin: flannel`, for the files that wait for canal. */
function withFlannel(text: string): Record<string, any> {
  const yaml = parseYaml(text);
  assert.ok(yaml.ok);
  const doc = yaml.value as Record<string, any>;
  return { ...doc, network: { ...doc.network, plugin: 'flannel' } };
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
    test(`${file}: ${verdict.canal ? 'waits for canal only' : label}`, () => {
      const text = read(file);
      if (verdict.canal) {
        assert.deepEqual(
          failures(text).map((e) => e.path),
          ['network.plugin'],
        );
        plans(validates(JSON.stringify(withFlannel(text))));
      } else if (verdict.errors) {
        const paths = failures(text).map((e) => e.path);
        for (const path of verdict.errors)
          assert.ok(paths.includes(path), `${path} not in ${paths.join(', ')}`);
      } else {
        plans(validates(text));
      }
    });
  }
});
