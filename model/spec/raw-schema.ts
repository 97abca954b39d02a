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
/** Image overrides by key: an empty entry means the default image, as every other empty setting does. zke's
 *  `image` also nests maps of images (service_mesh, cicd) for components zke-ts does not deploy. */
export const imageMap = z.record(z.string(), z.union([str, z.record(z.string(), str)]));
const opt = <T extends z.ZodType>(schema: T) => schema.optional();
/** A Kubernetes object given inline (a toleration, a volume, an EncryptionConfiguration): passed on as written. */
const kubeFragment = z.record(z.string(), z.unknown());
const kubeFragments = z.array(kubeFragment);
/** RKE's DaemonSet/Deployment update strategy: `strategy` is the Kubernetes `type`. */
const updateStrategy = z.strictObject({ strategy: opt(str), rollingUpdate: opt(kubeFragment) });
/** Where an addon's pods run, as RKE writes it for network, dns, monitoring and ingress. */
const placement = {
  node_selector: opt(strMap),
  update_strategy: opt(updateStrategy),
  tolerations: opt(kubeFragments),
};

const sshFields = {
  user: opt(str),
  port: opt(numeric),
  ssh_key: opt(str),
  ssh_key_path: opt(str),
  ssh_cert: opt(str),
  ssh_cert_path: opt(str),
  ssh_agent_auth: opt(bool),
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
  extra_args_array: opt(z.record(z.string(), strList)),
  win_extra_args: opt(strMap),
  win_extra_args_array: opt(z.record(z.string(), strList)),
  win_extra_binds: opt(strList),
  win_extra_env: opt(strList),
};
const serviceBase = z.strictObject(baseService);

/** RKE's S3BackupConfig, field for field (`bucket_name`; `bucket` too). */
const s3Backup = z.strictObject({
  endpoint: opt(str),
  bucket_name: opt(str),
  bucket: opt(str),
  folder: opt(str),
  region: opt(str),
  access_key: opt(str),
  secret_key: opt(str),
  custom_ca: opt(str),
});
export type RawS3Backup = z.infer<typeof s3Backup>;

const services = z.strictObject({
  etcd: opt(
    z.strictObject({
      ...baseService,
      snapshot: opt(bool),
      creation: opt(str),
      retention: opt(str),
      backup_config: opt(
        z.strictObject({
          enabled: opt(bool),
          interval_hours: opt(numeric),
          retention: opt(numeric),
          s3backupconfig: opt(s3Backup),
          s3backup_config: opt(s3Backup),
          safe_timestamp: opt(bool),
          timeout: opt(numeric),
        }),
      ),
      external_urls: opt(strList),
      ca_cert: opt(str),
      cert: opt(str),
      key: opt(str),
      path: opt(str),
      uid: opt(numeric),
      gid: opt(numeric),
    }),
  ),
  'kube-api': opt(
    z.strictObject({
      ...baseService,
      service_cluster_ip_range: opt(str),
      service_node_port_range: opt(str),
      always_pull_images: opt(bool),
      secrets_encryption_config: opt(
        z.strictObject({ enabled: opt(bool), custom_config: opt(kubeFragment) }),
      ),
      audit_log: opt(
        z.strictObject({
          enabled: opt(bool),
          configuration: opt(
            z.strictObject({
              max_age: opt(numeric),
              max_backup: opt(numeric),
              max_size: opt(numeric),
              path: opt(str),
              format: opt(str),
              policy: opt(kubeFragment),
            }),
          ),
        }),
      ),
      admission_configuration: opt(kubeFragment),
      pod_security_configuration: opt(str),
      pod_security_policy: opt(bool),
      event_rate_limit: opt(z.strictObject({ enabled: opt(bool), configuration: opt(kubeFragment) })),
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
      generate_serving_certificate: opt(bool),
      infra_container_image: opt(str),
    }),
  ),
  kubeproxy: opt(serviceBase),
});

const dns = z.strictObject({
  provider: opt(str),
  upstreamnameservers: opt(strList),
  reversecidrs: opt(strList),
  ...placement,
  options: opt(strMap),
  stubdomains: opt(z.record(z.string(), strList)),
  nodelocal: opt(kubeFragment),
  linear_autoscaler_params: opt(kubeFragment),
});

const ingress = z.strictObject({
  provider: opt(str),
  options: opt(strMap),
  ...placement,
  extra_args: opt(strMap),
  dns_policy: opt(str),
  extra_envs: opt(kubeFragments),
  extra_volumes: opt(kubeFragments),
  extra_volume_mounts: opt(kubeFragments),
  http_port: opt(numeric),
  https_port: opt(numeric),
  network_mode: opt(str),
  default_backend: opt(bool),
  default_http_backend_priority_class_name: opt(str),
  nginx_ingress_controller_priority_class_name: opt(str),
  default_ingress_class: opt(bool),
});

const loadbalancer = z.strictObject({
  provider: opt(str),
  mode: opt(str),
  address_pools: opt(z.array(z.strictObject({ name: opt(str), addresses: opt(strList) }))),
});

const option = z.strictObject({
  ssh_user: opt(str),
  ssh_key: opt(str),
  ssh_key_path: opt(str),
  ssh_agent_auth: opt(bool),
  ssh_cert_path: opt(str),
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
      loadbalancer: opt(loadbalancer),
      ...placement,
      calico_network_provider: opt(kubeFragment),
      canal_network_provider: opt(kubeFragment),
      flannel_network_provider: opt(kubeFragment),
      weave_network_provider: opt(kubeFragment),
      aci_network_provider: opt(kubeFragment),
    }),
  ),
  dns: opt(dns),
  ingress: opt(ingress),
  loadbalancer: opt(loadbalancer),
  monitor: opt(z.strictObject({ metrics_provider: opt(str), metrics_options: opt(strMap) })),
  monitoring: opt(
    z.strictObject({
      provider: opt(str),
      options: opt(strMap),
      ...placement,
      replicas: opt(numeric),
      metrics_server_priority_class_name: opt(str),
    }),
  ),
  private_registries: opt(
    z.array(
      z.strictObject({
        url: opt(str),
        user: opt(str),
        password: opt(str),
        is_default: opt(bool),
        ecr_credential_plugin: opt(kubeFragment),
        ca_cert: opt(str),
      }),
    ),
  ),
  authentication: opt(z.strictObject({ strategy: opt(str), sans: opt(strList), webhook: opt(kubeFragment) })),
  authorization: opt(z.strictObject({ mode: opt(str), options: opt(strMap) })),
  image: opt(imageMap),
  system_images: opt(imageMap),
  kubernetes_version: opt(str),
  ssh_key_path: opt(str),
  ssh_cert_path: opt(str),
  ssh_agent_auth: opt(bool),
  bastion_host: opt(
    z.strictObject({ ...sshFields, address: opt(str), host_key: opt(str), ignore_proxy_env_vars: opt(bool) }),
  ),
  upgrade_strategy: opt(nodeUpgradeStrategy),
  addons: opt(str),
  addons_include: opt(strList),
  prefix_path: opt(str),
  ignore_docker_version: opt(bool),
  max_parallel_hosts: opt(numeric),
  cert_validity_days: opt(numeric),
  cert_key_algorithm: opt(str),
  enable_cri_dockerd: opt(bool),
  cri_dockerd_stream_server_address: opt(str),
  cri_dockerd_stream_server_port: opt(numeric),
  cloud_provider: opt(kubeFragment),
  win_prefix_path: opt(str),
  addon_job_timeout: opt(numeric),
  restore: opt(z.strictObject({ restore: opt(bool), snapshot_name: opt(str) })),
  rotate_certificates: opt(kubeFragment),
  rotate_encryption_key: opt(bool),
  single_cloud_address: opt(str),
  loadbalance: opt(kubeFragment),
  disable_linkerd: opt(bool),
});

export type RawCluster = z.infer<typeof rawClusterSchema>;
export type RawNode = NonNullable<RawCluster['nodes']>[number];
export type RawServices = NonNullable<RawCluster['services']>;
export type RawScalar = z.infer<typeof scalar>;
export type RawServiceBase = z.infer<typeof serviceBase>;
export type RawKubeApi = NonNullable<RawServices['kube-api']>;
