// What every planned container shares: the zke labels, host networking, restart always; and the layering of
// version defaults, computed settings and the spec's extra_args/extra_env/extra_binds for Kubernetes services.
import type { ClusterSpec, NodeSpec, ServiceName } from '../spec/types.ts';
import type { FlagContainer, KubernetesVersion } from '../versions.ts';
import { argv, type FlagMap, mergeBinds, mergeEnv, mergeFlags } from './flags.ts';
import { hostPath, KUBERNETES_DIR } from './paths.ts';
import type { PlannedContainer } from './types.ts';

export const MANAGED_LABEL = 'io.zke.managed';
export const CLUSTER_LABEL = 'io.zke.cluster';

/** Everything a container builder needs to know about the host and the cluster. */
export interface HostContext {
  readonly spec: ClusterSpec;
  readonly version: KubernetesVersion;
  readonly node: NodeSpec;
  readonly etcdNodes: readonly NodeSpec[];
  readonly controlplanes: readonly NodeSpec[];
  /** Names of the current etcd members; empty for a new cluster. */
  readonly etcdMembers: ReadonlySet<string>;
  /** The etcd image every etcd host runs (chooseEtcd); `version`'s etcd flags are that etcd's. */
  readonly etcdImage: string;
}

export function managedLabels(spec: ClusterSpec): Record<string, string> {
  return { [MANAGED_LABEL]: 'true', [CLUSTER_LABEL]: spec.clusterName };
}

type ContainerFields = Omit<
  PlannedContainer,
  'name' | 'image' | 'labels' | 'networkMode' | 'pidMode' | 'privileged' | 'restartPolicy'
> &
  Partial<Pick<PlannedContainer, 'networkMode' | 'pidMode' | 'privileged' | 'restartPolicy'>>;

export function container(
  ctx: HostContext,
  name: string,
  image: string,
  fields: ContainerFields,
): PlannedContainer {
  const { command, env, binds, healthcheck, pulls, user, userDirs, ...docker } = fields;
  return {
    name,
    image,
    command,
    env,
    binds,
    networkMode: docker.networkMode ?? 'host',
    pidMode: docker.pidMode ?? '',
    privileged: docker.privileged ?? false,
    restartPolicy: docker.restartPolicy ?? 'always',
    labels: managedLabels(ctx.spec),
    ...(healthcheck ? { healthcheck } : {}),
    ...(pulls?.length ? { pulls } : {}),
    ...(user ? { user, userDirs: userDirs ?? [] } : {}),
  };
}

/** The certificates directory, read-only. */
export function certsBind(ctx: HostContext): string {
  return `${hostPath(ctx.spec.prefixPath, KUBERNETES_DIR)}:${KUBERNETES_DIR}:ro`;
}

export interface ServiceContainer extends Omit<ContainerFields, 'command' | 'env'> {
  /** The container's name, also its binary (on PATH in the image). */
  readonly name: FlagContainer;
  readonly service?: ServiceName;
  readonly image: string;
  readonly env?: readonly string[];
  /** Flags that depend on the cluster and host; they override the version defaults. */
  readonly flags: FlagMap;
}

/** A Kubernetes/etcd/cri-dockerd container: version flags < computed flags < extra_args; env and binds alike. */
export function serviceContainer(ctx: HostContext, s: ServiceContainer): PlannedContainer {
  const extra = s.service ? ctx.spec.services[s.service] : { extraArgs: {}, extraEnv: [], extraBinds: [] };
  const { name, service: _service, image, flags, env, binds, ...rest } = s;
  return container(ctx, name, image, {
    ...rest,
    command: argv(name, mergeFlags(ctx.version.defaultFlags[name], flags, extra.extraArgs)),
    env: mergeEnv(env ?? [], extra.extraEnv),
    binds: mergeBinds(binds, extra.extraBinds),
  });
}
