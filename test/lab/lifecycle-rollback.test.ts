// A deliberately failing upgrade (an image that cannot be pulled) stops within its bound: with
// max_unavailable_worker 1 it fails on the first worker and never touches the next one. One rollback call
// returns to the previous revision (as a new revision) and a healthy cluster. A rollback that restores the
// snapshot the upgrade took loses what was written after it, and reads the Secrets of its time again though the
// encryption key was rotated since.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentState, store } from '../../activities/clusterState.ts';
import { rollbackDryRun } from '../../api/service/plan.ts';
import { readEncryptionKeys } from '../../common/stateExport.ts';
import { causes, managedContainers } from '../support/cluster.ts';
import { assertRanAsListed } from '../support/dryRun.ts';
import { eventually } from '../support/kubectl.ts';
import {
  assertRunsPlan,
  healthyNodes,
  type Kubectl,
  labSpec,
  labSuite,
  nodeStates,
  provision,
  run,
  SKIP,
  upgrade,
} from './lifecycle-harness.ts';

let k: Kubectl;

const suite = labSuite(3);

const ops = () => suite.ops();
const names = () => suite.hosts.map((h) => h.name);

function spec(extra: Record<string, unknown> = {}, kubeletArgs: Record<string, string> = {}) {
  const roles = {
    [suite.hosts[0].name]: ['etcd', 'controlplane', 'worker'],
    [suite.hosts[1].name]: ['worker'],
    [suite.hosts[2].name]: ['worker'],
  };
  return labSpec('rb', suite.hosts, roles, {
    kubeletArgs,
    kubeApi: { secrets_encryption_config: { enabled: true } },
    extra: { upgrade_strategy: { max_unavailable_worker: 1 }, ...extra },
  });
}

const nginxImage = async (host: string) =>
  (await managedContainers(host)).find((c) => c.name === 'nginx-proxy')?.image;

test(
  'a failing upgrade stops at the first worker; one rollback call restores the revision and a healthy cluster',
  { skip: SKIP, timeout: 600_000 },
  async () => {
    const good = spec();
    k = await provision(ops(), good);
    const applied = currentState('rb')?.revision;
    const [, first, second] = names();
    const original = await nginxImage(second);

    await assert.rejects(
      upgrade(ops(), spec({ system_images: { nginx_proxy: 'zke/nginx-proxy:broken' } })),
      (err) => {
        assert.match(
          causes(err),
          new RegExp(`worker plane failed on 1 host\\(s\\): ${first}: cannot pull zke/nginx-proxy:broken`),
        );
        assert.match(causes(err), new RegExp(`not started: \\[${second}\\]`));
        return true;
      },
    );
    assert.equal(await nginxImage(second), original, `${second} was never touched`);
    const nodes = await nodeStates(k);
    assert.deepEqual(
      nodes.filter((n) => n.unschedulable).map((n) => n.name),
      [first],
      'only the failed host is out',
    );
    assert.equal(currentState('rb')?.revision, applied, 'the failed revision is not the applied one');

    const dry = rollbackDryRun(store(), 'rb', {});
    const result = await run(ops(), 'rollbackCluster', { cluster: 'rb' });
    assert.equal(result.status.phase, 'succeeded', result.summary);
    await assertRanAsListed(ops().t.client, 'rb', dry);
    const now = currentState('rb')!.revision!;
    assert.ok(now > applied!, 'the rollback is a new revision');
    assert.deepEqual(
      store().read<{ spec: unknown }>('rb', `revision/${now}`)?.spec,
      store().read<{ spec: unknown }>('rb', `revision/${applied}`)?.spec,
    );
    await healthyNodes(k, names());
    await assertRunsPlan(good);
  },
);

test(
  'rollback with the pre-upgrade snapshot: what was written after the upgrade started is gone, and the Secrets of its time read again after a key rotation',
  { skip: SKIP, timeout: 900_000 },
  async () => {
    const before = currentState('rb')!.revision!;
    const sealed = Buffer.from('sealed-by-the-first-key').toString('base64');
    await k('create', 'secret', 'generic', 'before-upgrade', '--from-literal=x=sealed-by-the-first-key');
    const result = await upgrade(ops(), spec({}, { 'max-pods': '150' }));
    assert.equal(result.status.phase, 'succeeded', result.summary);
    await k('create', 'configmap', 'after-upgrade', '--from-literal=x=1');
    const rotation = await run(ops(), 'rotateEncryptionKey', { cluster: 'rb' });
    assert.equal(rotation.status.phase, 'succeeded', rotation.summary);
    const [rotated] = readEncryptionKeys(store(), 'rb').map((key) => key.name);

    const request = { toRevision: before, restoreSnapshot: true };
    const dry = rollbackDryRun(store(), 'rb', request);
    const back = await run(ops(), 'rollbackCluster', { cluster: 'rb', ...request });
    assert.equal(back.status.phase, 'succeeded', back.summary);
    await assertRanAsListed(ops().t.client, 'rb', dry);
    await healthyNodes(k, names());
    const found = await k('get', 'configmap', 'after-upgrade', '--ignore-not-found', '-o', 'name');
    assert.equal(found.trim(), '', 'the configmap written after the snapshot is gone');

    // the snapshot's key writes again; the rotated one still reads (it sealed what was written before the restore)
    const [key, ...others] = readEncryptionKeys(store(), 'rb').map((k) => k.name);
    assert.notEqual(key, rotated);
    assert.deepEqual(others, [rotated]);
    assert.ok(
      back.status.events.some(
        (e) => /^secrets encryption keys of .* back in use: /.test(e) && e.endsWith(`${key}, ${rotated}`),
      ),
      back.status.events.join('\n'),
    );
    await eventually('the Secret sealed before the rotation reads', async () =>
      assert.equal(await k('get', 'secret', 'before-upgrade', '-o', 'jsonpath={.data.x}'), sealed),
    );
    await assertRunsPlan(spec());
  },
);
