// Test helpers for provisioning on lab hosts: a spec for the lab, stored revisions, running operations.
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { store } from '../../activities/clusterState.ts';
import { parseClusterSpec } from '../../model/spec/index.ts';
import type { ClusterSpec } from '../../model/spec/types.ts';
import { findVersion } from '../../model/versions.ts';
import { clusterWorkflowId, type OperationResult } from '../../workflows/types.ts';
import { currentLab, LAB_SKIP_REASON, type LabHost, labExec, labSsh } from './lab.ts';

export type RoleMap = Record<string, string[]>;

/** Kubelet/kube-proxy args this one-machine lab needs (shared cgroup v1 tree, conntrack sysctl not writable):
 *  see docs/lab-k8s.md. They live in the lab's specs, never in the product's defaults. */
export const LAB_KUBELET_ARGS = { 'cgroups-per-qos': 'false', 'enforce-node-allocatable': '' };
export const LAB_KUBEPROXY_ARGS = { 'conntrack-max-per-core': '0' };

/** The version lab specs start from (upgrade tests go to the next one). */
export const LAB_K8S_VERSION = 'v1.33.13';

export interface LabSpecOptions {
  version?: string;
  kubeletArgs?: Record<string, string>;
  extra?: Record<string, unknown>;
  format?: 'zke' | 'rke';
  /** The SSH user (default root); LAB_DOCKER_USER is in the docker group and nothing more. */
  user?: string;
  /** The kube-api service's settings (`core` or `services`, by format). */
  kubeApi?: Record<string, unknown>;
}

/** Every lab host's user in the docker group, with no sudo (lab/hostinit.sh): RKE's usual node user. */
export const LAB_DOCKER_USER = 'zke';

/** The lab's kubelet and kube-proxy flags (and kube-api's settings), as a `core` (zke) or `services` (RKE) block. */
function labServices(o: LabSpecOptions) {
  return {
    kubelet: { extra_args: { ...LAB_KUBELET_ARGS, ...o.kubeletArgs } },
    kubeproxy: { extra_args: LAB_KUBEPROXY_ARGS },
    ...(o.kubeApi ? { 'kube-api': o.kubeApi } : {}),
  };
}

/** The images come as a user's would: from their registry, named the default private registry. */
function labRegistries() {
  return [{ url: currentLab().registry, is_default: true }];
}

function zkeFormat(name: string, hosts: LabHost[], roles: RoleMap, o: LabSpecOptions) {
  return {
    cluster_name: name,
    option: {
      ssh_user: o.user ?? 'root',
      ssh_key_path: labSsh.keyPath,
      kubernetes_version: o.version ?? LAB_K8S_VERSION,
    },
    nodes: hosts.map((h) => ({ name: h.name, address: h.address, roles: roles[h.name] ?? ['worker'] })),
    core: labServices(o),
  };
}

/** RKE's format: `role`, `hostname_override`, `services`, top-level keys. */
function rkeFormat(name: string, hosts: LabHost[], roles: RoleMap, o: LabSpecOptions) {
  const node = (h: LabHost) => ({ address: h.address, user: o.user ?? 'root', hostname_override: h.name });
  return {
    cluster_name: name,
    kubernetes_version: o.version ?? LAB_K8S_VERSION,
    ssh_key_path: labSsh.keyPath,
    nodes: hosts.map((h) => ({ ...node(h), role: roles[h.name] ?? ['worker'] })),
    services: labServices(o),
  };
}

/** A cluster.yml object for lab hosts (zke's format unless `o.format` says RKE's); roles per host name. */
export function labClusterYaml(
  name: string,
  hosts: LabHost[],
  roles: RoleMap,
  o: LabSpecOptions = {},
): Record<string, unknown> {
  const format = o.format === 'rke' ? rkeFormat : zkeFormat;
  return { ...format(name, hosts, roles, o), private_registries: labRegistries(), ...o.extra };
}

export function parseOrThrow(doc: unknown): ClusterSpec {
  const parsed = parseClusterSpec(doc);
  if (!parsed.ok) throw new Error(`invalid test spec: ${JSON.stringify(parsed.errors)}`);
  return parsed.spec;
}

/** Stores a new revision the way the API does; returns its number. */
export function submitRevision(spec: ClusterSpec): number {
  const cluster = spec.clusterName;
  const numbers = store()
    .keys(cluster, 'revision/')
    .map((k) => Number(k.split('/')[1]));
  const number = Math.max(0, ...numbers) + 1;
  store().write(cluster, `revision/${number}`, {
    number,
    spec,
    createdAt: new Date().toISOString(),
    source: 'test',
  });
  return number;
}

export async function runOperation(
  client: Client,
  taskQueue: string,
  workflowType: string,
  input: Record<string, unknown> & { cluster: string },
): Promise<OperationResult> {
  return client.workflow.execute(workflowType, {
    taskQueue,
    workflowId: clusterWorkflowId(input.cluster),
    args: [input],
    workflowIdConflictPolicy: 'FAIL',
  });
}

export interface RunningContainer {
  name: string;
  id: string;
  image: string;
  args: string[];
  status: string;
}

/** The name of every container on a lab host, zke's or not, running or not (docker itself, not zke's code). */
export async function allContainers(host: string): Promise<string[]> {
  const out = await labExec(host, ['docker', 'ps', '-a', '--format', '{{.Names}}']);
  if (out.code !== 0) throw new Error(`${host}: docker ps failed: ${out.stderr}`);
  return out.stdout.split('\n').filter(Boolean).sort();
}

/** Containers on a lab host carrying zke's managed label (read with docker itself, not with zke's code). */
export async function managedContainers(host: string): Promise<RunningContainer[]> {
  const ids = (await labExec(host, ['docker', 'ps', '-aq', '--filter', 'label=io.zke.managed=true'])).stdout
    .split('\n')
    .filter(Boolean);
  if (!ids.length) return [];
  const out = await labExec(host, ['docker', 'inspect', ...ids]);
  return (
    JSON.parse(out.stdout) as {
      Id: string;
      Name: string;
      Config: { Image: string; Entrypoint: string[] | null; Cmd: string[] | null };
      State: { Status: string };
    }[]
  ).map((c) => ({
    name: c.Name.replace(/^\//, ''),
    id: c.Id,
    image: c.Config.Image,
    args: [...(c.Config.Entrypoint ?? []), ...(c.Config.Cmd ?? [])],
    status: c.State.Status,
  }));
}

export function causes(err: unknown): string {
  const messages: string[] = [];
  for (let e = err as Error | undefined; e; e = e.cause as Error | undefined) messages.push(e.message);
  return messages.join(' <- ');
}

const LAB_CACHE = process.env.ZKE_LAB_CACHE ?? '/var/cache/zke-lab';
/** Where the lab registries (one storage for all instances) keep their repositories. */
export const REGISTRY_TAGS = `${LAB_CACHE}/registry/docker/registry/v2/repositories`;

/** Where lab/k8s puts what it builds from the Go module proxy (bin/<name>-<version>/). */
export const LAB_BUILD_BIN = `${LAB_CACHE}/build/bin`;

/** The kubectl lab/k8s built with the lab's Kubernetes (it exists when k8sSkipReason() is undefined). */
export const LAB_KUBECTL = `${LAB_BUILD_BIN}/kubernetes-${LAB_K8S_VERSION}/kubectl`;

/** Whether the lab registry holds some tag of this repository. */
export function registryHasRepo(repo: string): boolean {
  const tags = `${REGISTRY_TAGS}/${repo}/_manifests/tags`;
  return fs.existsSync(tags) && fs.readdirSync(tags).length > 0;
}

/** The load balancer's image, which lab/k8s/build.sh builds with the Kubernetes images. */
const LAB_METALLB_IMAGE = 'zke/metallb:v0.16.2';

/**
 * Why tests that provision real Kubernetes cannot run here, or undefined when they can: the one check all of
 * them use (and `npm run test:k8s`). They need the lab, the images of LAB_K8S_VERSION and of each version
 * given and MetalLB's in the lab registry, and the kubectl built with them; lab/k8s/build.sh makes both.
 */
export function k8sSkipReason(...versions: string[]): string | undefined {
  if (LAB_SKIP_REASON) return LAB_SKIP_REASON;
  const build = 'build it: bash lab/k8s/build.sh';
  const tableImages = [LAB_K8S_VERSION, ...versions].flatMap((v) => {
    const images = findVersion(v)?.images;
    return images ? [images.kubernetes, images.etcd] : [`zke/hyperkube:${v}`];
  });
  const images = [...new Set(tableImages), LAB_METALLB_IMAGE];
  for (const image of images) {
    const [repo, tag] = image.split(':');
    if (!fs.existsSync(`${REGISTRY_TAGS}/${repo}/_manifests/tags/${tag}`))
      return `the lab registry has no ${image} (${build})`;
  }
  return fs.existsSync(LAB_KUBECTL) ? undefined : `the lab cache has no ${LAB_KUBECTL} (${build})`;
}
