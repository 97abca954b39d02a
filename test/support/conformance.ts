// The upstream Kubernetes conformance suite (e2e.test + ginkgo, built by lab/k8s/build-conformance.sh) against a
// cluster zke provisioned in the lab: used by `npm run conformance` (scripts/conformance.ts) and the smoke slice.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { parseJunit, type SpecResult } from '../../scripts/conformanceReport.ts';
import {
  k8sSkipReason,
  LAB_BUILD_BIN,
  LAB_KUBECTL,
  labClusterYaml,
  parseOrThrow,
  registryHasRepo,
  runOperation,
  submitRevision,
} from './cluster.ts';
import { adminKubeconfigFile, eventually, kubectl } from './kubectl.ts';
import { currentLab, type LabHost } from './lab.ts';

const REPO_LIST_TEMPLATE = fileURLToPath(
  new URL('../../lab/k8s/conformance-repo-list.yaml', import.meta.url),
);

/** Where build-conformance.sh put e2e.test and ginkgo for this Kubernetes version. */
export function conformanceBin(version: string): string {
  return `${LAB_BUILD_BIN}/conformance-${version}`;
}

/**
 * Why the conformance suite cannot run against a lab cluster of this version here, or undefined when it can:
 * k8sSkipReason, the suite's binaries, and its agnhost image in the lab registry (lab/k8s/build.sh makes all).
 */
export function conformanceSkipReason(version: string): string | undefined {
  const why = k8sSkipReason(version);
  if (why) return why;
  const build = 'build it: bash lab/k8s/build.sh';
  for (const bin of ['e2e.test', 'ginkgo'])
    if (!fs.existsSync(path.join(conformanceBin(version), bin)))
      return `the lab cache has no ${path.join(conformanceBin(version), bin)} (${build})`;
  if (!registryHasRepo('e2e-test-images/agnhost'))
    return `the lab registry has no e2e-test-images/agnhost (${build})`;
  return undefined;
}

export interface ConformanceCluster {
  kubeconfig: string;
  /** The cluster.yml it was provisioned from (as an object). */
  doc: Record<string, unknown>;
  provisionSeconds: number;
}

/**
 * zke provisions the issue's default spec on three lab hosts (3 etcd, 1 control plane, 3 workers) through the
 * provisionCluster workflow, as the lab tests do; resolves once all three nodes are Ready.
 */
export async function provisionConformanceCluster(
  client: Client,
  taskQueue: string,
  hosts: LabHost[],
  version: string,
): Promise<ConformanceCluster> {
  const roles = {
    zlab1: ['etcd', 'controlplane', 'worker'],
    zlab2: ['etcd', 'worker'],
    zlab3: ['etcd', 'worker'],
  };
  const doc = labClusterYaml('conformance', hosts, roles, { version });
  const start = Date.now();
  const result = await runOperation(client, taskQueue, 'provisionCluster', {
    cluster: 'conformance',
    revision: submitRevision(parseOrThrow(doc)),
  });
  if (result.status.phase !== 'succeeded') throw new Error(`provisioning failed: ${result.summary}`);
  const provisionSeconds = Math.round((Date.now() - start) / 1000);
  const kubeconfig = adminKubeconfigFile('conformance');
  const k = kubectl(LAB_KUBECTL, kubeconfig);
  await eventually('3 nodes Ready', async () => {
    const ready = (await k('get', 'nodes', '--no-headers')).split('\n').filter((l) => / Ready /.test(l));
    if (ready.length !== 3) throw new Error(`${ready.length} nodes Ready`);
  });
  return { kubeconfig, doc, provisionSeconds };
}

/** Writes the suite's KUBE_TEST_REPO_LIST for the current lab's registry into dir; returns the file. */
export function writeRepoList(dir: string): string {
  const file = path.join(dir, 'repo-list.yaml');
  fs.writeFileSync(
    file,
    fs.readFileSync(REPO_LIST_TEMPLATE, 'utf8').replaceAll('@REG@', currentLab().registry),
  );
  return file;
}

export interface SuitePart {
  /** e.g. "parallel" or "serial": names the JUnit file (junit-<name>.xml) and the log. */
  name: string;
  version: string;
  kubeconfig: string;
  /** ginkgo --label-filter: "Conformance && !Serial" (the parallel part) or "Conformance && Serial". */
  labels: string;
  /** ginkgo --focus / --skip regular expressions (several of one kind: any matches). */
  focus: string[];
  skip: string[];
  /** ginkgo processes (1: one spec at a time). */
  nodes: number;
  /** ginkgo --timeout for the whole part, e.g. "2h". */
  timeout: string;
  outDir: string;
  /** Receives ginkgo's output as it comes (besides the log file). */
  onOutput?: (chunk: string) => void;
}

export interface PartRun {
  junit: string;
  log: string;
  exitCode: number;
  seconds: number;
}

/** Runs one part of the suite with ginkgo: the specs with these labels, narrowed by focus and skip. */
export async function runSuitePart(p: SuitePart): Promise<PartRun> {
  const bin = conformanceBin(p.version);
  fs.mkdirSync(p.outDir, { recursive: true });
  const junit = path.join(p.outDir, `junit-${p.name}.xml`);
  const log = path.join(p.outDir, `ginkgo-${p.name}.log`);
  const args = [
    `--nodes=${p.nodes}`,
    `--timeout=${p.timeout}`,
    `--label-filter=${p.labels}`,
    ...p.focus.map((f) => `--focus=${f}`),
    ...p.skip.map((s) => `--skip=${s}`),
    '--no-color',
    '--silence-skips',
    `--output-dir=${p.outDir}`,
    `--junit-report=junit-${p.name}.xml`,
    path.join(bin, 'e2e.test'),
    '--',
    `--kubeconfig=${p.kubeconfig}`,
    `--kubectl-path=${LAB_BUILD_BIN}/kubernetes-${p.version}/kubectl`,
    '--provider=skeleton',
  ];
  const out = fs.openSync(log, 'w');
  const start = Date.now();
  const child = spawn(path.join(bin, 'ginkgo'), args, {
    env: { ...process.env, KUBE_TEST_REPO_LIST: writeRepoList(p.outDir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (d: Buffer) => {
      fs.writeSync(out, d);
      p.onOutput?.(d.toString());
    });
  const exitCode = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  fs.closeSync(out);
  if (fs.existsSync(junit)) fs.writeFileSync(junit, compactJunit(fs.readFileSync(junit, 'utf8')));
  return { junit, log, exitCode, seconds: Math.round((Date.now() - start) / 1000) };
}

/**
 * ginkgo's JUnit report lists every spec of e2e.test, each with its whole log: the specs the filters left out are
 * dropped, and the logs of those that passed (the failures keep theirs; ginkgo's log file has all of them).
 */
export function compactJunit(xml: string): string {
  return xml
    .replace(
      /\s*<testcase [^>]*status="skipped"[^>]*>\s*<skipped message="skipped"><\/skipped>\s*<\/testcase>/g,
      '',
    )
    .replace(/(<testcase [^>]*status="passed"[^>]*>)\s*<system-err>[\s\S]*?<\/system-err>\s*/g, '$1');
}

/**
 * The smoke slice (test/lab/conformance-smoke.test.ts): [Conformance] specs that each exercise another part of
 * the cluster zke lays out — kubelet streaming (exec, logs) with the apiserver's kubelet client certificate,
 * CoreDNS, kube-proxy (ClusterIP, NodePort), the CNI across hosts and hostPort (portmap), the apiserver's proxy
 * subresource, admission webhooks and the aggregation layer (apiserver → service network, front-proxy
 * certificates), the watch cache (etcd's progress notifications), projected service account tokens and the
 * issuer's OIDC discovery, controller-manager
 * (Job, Deployment, ReplicaSet), kubectl, and the kubelet's volumes, hooks, env and security context.
 */
export const SMOKE_SPECS = [
  '[sig-node] Pods should support remote command execution over websockets',
  '[sig-node] Pods should support retrieving logs from the container over websockets',
  '[sig-network] DNS should provide DNS for services',
  '[sig-network] Services should be able to create a functioning NodePort service',
  '[sig-network] Networking Granular Checks: Pods should function for intra-pod communication: http',
  '[sig-network] HostPort validates that there is no conflict between pods with same hostPort but different hostIP and protocol',
  '[sig-network] Proxy version v1 should proxy through a service and a pod',
  '[sig-api-machinery] AdmissionWebhook [Privileged:ClusterAdmin] should be able to deny pod and configmap creation',
  '[sig-api-machinery] Aggregator Should be able to support the 1.17 Sample API Server using the current Aggregator',
  '[sig-api-machinery] CustomResourceDefinition resources [Privileged:ClusterAdmin] Simple CustomResourceDefinition creating/deleting custom resource definition objects works',
  '[sig-auth] ServiceAccounts should mount projected service account token',
  '[sig-auth] ServiceAccounts ServiceAccountIssuerDiscovery should support OIDC discovery of service account issuer',
  '[sig-apps] Job should run a job to completion when tasks sometimes fail and are locally restarted',
  '[sig-apps] Deployment RollingUpdateDeployment should delete old pods and create new ones',
  '[sig-apps] ReplicaSet should serve a basic image on each replica with a public image',
  '[sig-cli] Kubectl client Kubectl describe should check if kubectl describe prints relevant information for rc and pods',
  '[sig-cli] Kubectl client Proxy server should support proxy with --port 0',
  '[sig-node] Downward API should provide pod name, namespace and IP address as env vars',
  '[sig-storage] Secrets should be consumable from pods in volume',
  // a watch from a fresh resourceVersion of a resource nobody else writes: etcd's progress notifications
  '[sig-storage] CSIStorageCapacity should support CSIStorageCapacities API operations',
  '[sig-node] Container Lifecycle Hook when create a pod with lifecycle hook should execute poststart http hook properly',
  '[sig-node] Security Context when creating containers with AllowPrivilegeEscalation should not allow privilege escalation when false',
  '[sig-node] Kubelet when scheduling a busybox command in a pod should print the output to logs',
];

/** One ginkgo --focus matching exactly these specs (each name, then only its bracketed tags; ginkgo matches the
 *  text with a leading space, so no ^). */
export function exactFocus(names: string[]): string {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return names.map((s) => `${literal(s)}( +\\[[^\\]]+\\])* *$`).join('|');
}

export const smokeFocus = () => exactFocus(SMOKE_SPECS);

/**
 * [Conformance] specs that flake upstream as well, each with the message of that flake and its upstream issue.
 * Only a failure with that message counts as the flake; any other failure of the spec is zke's.
 */
export const KNOWN_FLAKES = [
  {
    // the test lists aggregated discovery right after using the new API; the apiserver may still mark it stale
    spec: '[sig-api-machinery] Aggregator Should be able to support the 1.17 Sample API Server using the current Aggregator',
    message: 'stale GroupVersion discovery',
    issue: 'kubernetes/kubernetes#133495',
  },
];

const knownFlake = (s: SpecResult) =>
  s.status === 'failed'
    ? KNOWN_FLAKES.find((f) => s.name.includes(f.spec) && (s.message ?? '').includes(f.message))
    : undefined;

/** The known flakes among a part's results, each once. */
export const flakesToRerun = (specs: SpecResult[]) => [
  ...new Set(specs.map(knownFlake).filter((f) => f !== undefined)),
];

/** A part's results with each known flake's result replaced by its result in the rerun. */
export const withRerun = (specs: SpecResult[], rerun: SpecResult[]) =>
  specs.map((s) => (knownFlake(s) ? (rerun.find((r) => r.name === s.name) ?? s) : s));

export interface CheckedPart {
  /** The [Conformance] specs, each with its last result. */
  specs: SpecResult[];
  /** 0 when every spec passed (a known flake on its second try). */
  exitCode: number;
  logs: string[];
  /** The known flakes that failed once and ran again, alone: "<spec> (<issue>)". */
  rerun: string[];
}

/**
 * Runs a part; a known upstream flake (KNOWN_FLAKES) that failed with its known message runs once more, alone, and
 * its second result counts. Any other failure stands as it is.
 */
export async function runPartRerunningFlakes(p: SuitePart): Promise<CheckedPart> {
  const conformanceSpecs = (run: PartRun) =>
    parseJunit(fs.readFileSync(run.junit, 'utf8')).filter((s) => s.name.includes('[Conformance]'));
  const first = await runSuitePart(p);
  const specs = conformanceSpecs(first);
  const flakes = flakesToRerun(specs);
  if (flakes.length === 0) return { specs, exitCode: first.exitCode, logs: [first.log], rerun: [] };
  const again = await runSuitePart({
    ...p,
    name: `${p.name}-rerun`,
    focus: [exactFocus(flakes.map((f) => f.spec))],
    skip: [],
    nodes: 1,
  });
  const merged = withRerun(specs, conformanceSpecs(again));
  const othersFailed = merged.some((s) => s.status !== 'passed' && !knownFlake(s));
  return {
    specs: merged,
    exitCode: othersFailed ? first.exitCode || 1 : again.exitCode,
    logs: [first.log, again.log],
    rerun: flakes.map((f) => `${f.spec} (${f.issue})`),
  };
}
