// The plan as data: what every host must run and hold. Read by activities (Docker API, SFTP) and by the diff.
import type { Role, Taint } from '../spec/types.ts';
import type { PlanStep } from './steps.ts';

export interface Healthcheck {
  readonly kind: 'https' | 'http' | 'etcd';
  readonly port: number;
  readonly path: string;
}

/** One container, in the shape read back from `docker inspect` (so plan and host compare field by field). */
export interface PlannedContainer {
  readonly name: string;
  readonly image: string;
  /** Full argv; the image's entrypoint is overridden by command[0]. */
  readonly command: readonly string[];
  readonly env: readonly string[];
  /** host-path:container-path[:options] */
  readonly binds: readonly string[];
  readonly networkMode: string;
  /** 'host' or '' (Docker's default, a private PID namespace). */
  readonly pidMode: string;
  readonly privileged: boolean;
  readonly restartPolicy: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly healthcheck?: Healthcheck;
  /** Further images the host must hold before the container starts, pulled with the registries' credentials
   *  (cri-dockerd: the pod sandbox image, which it would pull itself without them). */
  readonly pulls?: readonly string[];
  /** `uid:gid` the container runs as (Docker's User); unset: the image's (root). */
  readonly user?: string;
  /** Host directories handed to `user` (owner, recursively, and mode 0700) before the container starts. */
  readonly userDirs?: readonly string[];
}

/**
 * What a file holds, by reference: a certificate, key or kubeconfig of the PKI bundle (by its §2.3 name),
 * or a named text rendered from the spec by `renderTextFile` (it may hold secrets, so the plan never does).
 */
export interface FileContent {
  readonly kind: 'cert' | 'key' | 'kubeconfig' | 'text';
  readonly name: string;
}

export interface PlannedFile {
  /** Absolute path on the host, prefix_path applied. */
  readonly path: string;
  readonly mode: number;
  readonly content: FileContent;
  /** `uid:gid` owning the file (its directories made traversable); unset: the SSH user. */
  readonly owner?: string;
}

export interface HostPlan {
  readonly name: string;
  readonly address: string;
  readonly internalAddress: string;
  readonly roles: readonly Role[];
  /** In start order. */
  readonly containers: readonly PlannedContainer[];
  readonly files: readonly PlannedFile[];
  /** Node labels to keep in sync through the API: the node-role labels plus the user's. */
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** Node taints to keep in sync: RKE's role taints for non-worker nodes plus the user's. */
  readonly nodeTaints: readonly Taint[];
}

/** What the provisioner knows about the cluster as it is now. */
export interface PlanState {
  /** Node names that are etcd members now; empty or absent means a new cluster (initial-cluster-state new). */
  readonly etcdMembers?: readonly string[];
  /** Node names provisioned before; those no longer in the spec are cleaned up. */
  readonly hosts?: readonly string[];
  /** The etcd image each etcd member ran when last reconciled: etcd is never downgraded, and upgrades one minor
   * at a time. */
  readonly etcdImages?: Readonly<Record<string, string>>;
  /** The oldest etcd image the cluster ever ran (its data began there). */
  readonly etcdOrigin?: string;
}

export interface ClusterPlan {
  readonly clusterName: string;
  readonly kubernetesVersion: string;
  readonly hosts: readonly HostPlan[];
  /** Hosts provisioned before but no longer in the spec. */
  readonly removedHosts: readonly string[];
  /** The addons applied, in order, one line each ("metallb (layer 2): pool-1 10.0.0.200-10.0.0.210"). */
  readonly addons: readonly string[];
  /** The operation `zke up` would run (provision, or upgrade of a provisioned cluster), step by step. */
  readonly steps: readonly PlanStep[];
  /** Why the change would be refused before anything is touched (then no step runs). */
  readonly refusal?: string;
  /** Where the plan departs from the spec and why (etcd kept from a downgrade, or upgraded one minor first). */
  readonly notes?: readonly string[];
}
