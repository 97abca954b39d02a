// The shape of cluster.yml as users write it: zke's keys and RKE's keys side by side, every field optional.
// Only types are checked here; values are checked by validate.ts, after defaults, with all errors at once.
import { z } from 'zod';

const str = z.string();
const bool = z.boolean();
const num = z.number();
const scalar = z.union([z.string(), z.number(), z.boolean()]);
/** Ports and counts: zke writes ssh_port as a string. */
const numeric = z.union([z.number(), z.string()]);
const strMap = z.record(z.string(), scalar);
const strList = z.array(z.string());
/** Image overrides by key: an empty entry means the default image, as every other empty setting does. */
export const imageMap = z.record(z.string(), str);
const opt = <T extends z.ZodType>(schema: T) => schema.optional();

const sshFields = {
  user: opt(str),
  port: opt(numeric),
  ssh_key: opt(str),
  ssh_key_path: opt(str),
};

const taint = z.strictObject({ key: opt(str), value: opt(scalar), effect: opt(str) });

const node = z.strictObject({
  ...sshFields,
  name: opt(str),
  hostname_override: opt(str),
  address: opt(str),
  internal_address: opt(str),
  roles: opt(strList),
  role: opt(strList),
  docker_socket: opt(str),
  labels: opt(strMap),
  taints: opt(z.array(taint)),
  host_key: opt(str),
});

const baseService = {
  image: opt(str),
  extra_args: opt(strMap),
  extra_binds: opt(strList),
  extra_env: opt(strList),
};
const serviceBase = z.strictObject(baseService);

const services = z.strictObject({
  etcd: opt(
    z.strictObject({
      ...baseService,
      snapshot: opt(bool),
      creation: opt(str),
      retention: opt(str),
      backup_config: opt(
        z.strictObject({ enabled: opt(bool), interval_hours: opt(numeric), retention: opt(numeric) }),
      ),
      external_urls: opt(strList),
    }),
  ),
  'kube-api': opt(
    z.strictObject({
      ...baseService,
      service_cluster_ip_range: opt(str),
      service_node_port_range: opt(str),
      always_pull_images: opt(bool),
    }),
  ),
  'kube-controller': opt(
    z.strictObject({ ...baseService, cluster_cidr: opt(str), service_cluster_ip_range: opt(str) }),
  ),
  scheduler: opt(serviceBase),
  kubelet: opt(
    z.strictObject({
      ...baseService,
      cluster_domain: opt(str),
      cluster_dns_server: opt(str),
      fail_swap_on: opt(bool),
    }),
  ),
  kubeproxy: opt(serviceBase),
});

const dns = z.strictObject({
  provider: opt(str),
  upstreamnameservers: opt(strList),
  reversecidrs: opt(strList),
  node_selector: opt(strMap),
});

/** A Kubernetes API object given inline (a toleration, an env var, a volume): passed on as written. */
const kubeFragment = z.record(z.string(), z.unknown());
const kubeFragments = z.array(kubeFragment);
/** RKE's DaemonSet/Deployment update strategy: `strategy` is the Kubernetes `type`. */
const updateStrategy = z.strictObject({ strategy: opt(str), rollingUpdate: opt(kubeFragment) });

const ingress = z.strictObject({
  provider: opt(str),
  options: opt(strMap),
  node_selector: opt(strMap),
  extra_args: opt(strMap),
  dns_policy: opt(str),
  extra_envs: opt(kubeFragments),
  extra_volumes: opt(kubeFragments),
  extra_volume_mounts: opt(kubeFragments),
  update_strategy: opt(updateStrategy),
  http_port: opt(numeric),
  https_port: opt(numeric),
  network_mode: opt(str),
  tolerations: opt(kubeFragments),
  default_backend: opt(bool),
  default_http_backend_priority_class_name: opt(str),
  nginx_ingress_controller_priority_class_name: opt(str),
  default_ingress_class: opt(bool),
});

const option = z.strictObject({
  ssh_user: opt(str),
  ssh_key: opt(str),
  ssh_key_path: opt(str),
  ssh_port: opt(numeric),
  docker_socket: opt(str),
  kubernetes_version: opt(str),
  kubetnetes_version: opt(str),
  ignore_docker_version: opt(bool),
  cluster_cidr: opt(str),
  service_cidr: opt(str),
  cluster_domain: opt(str),
  cluster_dns_serviceip: opt(str),
  up_stream_name_servers: opt(strList),
  disable_port_check: opt(bool),
  prefix_path: opt(str),
});

const nodeUpgradeStrategy = z.strictObject({
  max_unavailable_worker: opt(numeric),
  max_unavailable_controlplane: opt(numeric),
  drain: opt(bool),
  node_drain_input: opt(
    z.strictObject({
      force: opt(bool),
      ignore_daemonsets: opt(bool),
      delete_local_data: opt(bool),
      grace_period: opt(num),
      timeout: opt(num),
    }),
  ),
});

export const rawClusterSchema = z.strictObject({
  cluster_name: opt(str),
  config_version: opt(str),
  option: opt(option),
  nodes: opt(z.array(node)),
  core: opt(services),
  services: opt(services),
  network: opt(
    z.strictObject({
      plugin: opt(str),
      iface: opt(str),
      options: opt(strMap),
      mtu: opt(numeric),
      dns: opt(dns),
      ingress: opt(ingress),
    }),
  ),
  dns: opt(dns),
  ingress: opt(ingress),
  monitor: opt(z.strictObject({ metrics_provider: opt(str), metrics_options: opt(strMap) })),
  monitoring: opt(z.strictObject({ provider: opt(str), options: opt(strMap) })),
  private_registries: opt(
    z.array(z.strictObject({ url: opt(str), user: opt(str), password: opt(str), is_default: opt(bool) })),
  ),
  authentication: opt(z.strictObject({ strategy: opt(str), sans: opt(strList) })),
  authorization: opt(z.strictObject({ mode: opt(str) })),
  image: opt(imageMap),
  system_images: opt(imageMap),
  kubernetes_version: opt(str),
  ssh_key_path: opt(str),
  bastion_host: opt(z.strictObject({ ...sshFields, address: opt(str) })),
  upgrade_strategy: opt(nodeUpgradeStrategy),
  addons: opt(str),
  addons_include: opt(strList),
  prefix_path: opt(str),
  ignore_docker_version: opt(bool),
  max_parallel_hosts: opt(numeric),
  cert_validity_days: opt(numeric),
  cert_key_algorithm: opt(str),
});

export type RawCluster = z.infer<typeof rawClusterSchema>;
export type RawNode = NonNullable<RawCluster['nodes']>[number];
export type RawServices = NonNullable<RawCluster['services']>;
export type RawScalar = z.infer<typeof scalar>;
export type RawServiceBase = z.infer<typeof serviceBase>;
