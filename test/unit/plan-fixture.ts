// Shared by the plan and diff tests: fixture specs, snapshot files, and small lookups.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterPlan, HostPlan, PlannedContainer } from '../../model/plan/index.ts';
import { type ClusterSpec, parseClusterSpec } from '../../model/spec/index.ts';

export const PLAN_FIXTURES = join(import.meta.dirname, '../fixtures/plan');

export function specFrom(input: string | object): ClusterSpec {
  const result = parseClusterSpec(input);
  if (!result.ok) assert.fail(`fixture spec is invalid: ${JSON.stringify(result.errors)}`);
  return result.spec;
}

export function fixtureSpec(name: string): ClusterSpec {
  return specFrom(readFileSync(join(PLAN_FIXTURES, `${name}.yml`), 'utf8'));
}

/** Compares with the committed JSON snapshot; UPDATE_SNAPSHOTS=1 rewrites it instead. */
export function matchSnapshot(name: string, value: unknown): void {
  const file = join(PLAN_FIXTURES, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `missing snapshot ${file}: run the test with UPDATE_SNAPSHOTS=1`);
  assert.deepEqual(JSON.parse(text), JSON.parse(readFileSync(file, 'utf8')), `plan differs from ${file}`);
}

export function host(plan: ClusterPlan, name: string): HostPlan {
  const found = plan.hosts.find((h) => h.name === name);
  assert.ok(found, `no host ${name} in the plan`);
  return found;
}

export function containerOf(hostPlan: HostPlan, name: string): PlannedContainer {
  const found = hostPlan.containers.find((c) => c.name === name);
  assert.ok(found, `no container ${name} on ${hostPlan.name}`);
  return found;
}

/** The value of --flag in a container's argv, or undefined. */
export function flag(c: PlannedContainer, name: string): string | undefined {
  const arg = c.command.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

export const MIN_3 = `
cluster_name: t3
nodes:
  - {name: a, address: 10.9.0.1, roles: [etcd, controlplane]}
  - {name: b, address: 10.9.0.2, roles: [etcd, worker]}
  - {name: c, address: 10.9.0.3, roles: [etcd, worker]}
`;
