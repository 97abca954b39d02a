// zke `core.*` / RKE `services.*` -> Services (extra args/binds/env, etcd snapshots, a few typed options).

import type { SpecContext } from './context.ts';
import { DEFAULTS } from './defaults.ts';
import { kubeApiHardening } from './normalize-hardening.ts';
import { stringMap } from './normalize-nodes.ts';
import { s3Backup } from './normalize-s3.ts';
import type { RawCluster, RawServiceBase, RawServices } from './raw-schema.ts';
import type { ServiceName, ServiceOptions, Services } from './types.ts';

export type ServicesRoot = 'core' | 'services';

export interface GivenServices {
  readonly root: ServicesRoot;
  readonly given: RawServices;
}

/** zke calls the block `core`, RKE `services`; a file may use one of them. */
export function servicesRoot(ctx: SpecContext, raw: RawCluster): GivenServices {
  if (raw.core && raw.services)
    ctx.error('services', 'use either "core" (zke) or "services" (RKE), not both');
  const root: ServicesRoot = raw.core
    ? 'core'
    : raw.services
      ? 'services'
      : ctx.format === 'rke'
        ? 'services'
        : 'core';
  return { root, given: raw.core ?? raw.services ?? {} };
}

function base(
  ctx: SpecContext,
  root: ServicesRoot,
  name: ServiceName,
  given: RawServiceBase | undefined,
): ServiceOptions {
  const at = `${root}.${name}`;
  ctx.locate(`services.${name}`, at);
  return {
    extraArgs: stringMap(given?.extra_args),
    extraBinds: given?.extra_binds ?? [],
    extraEnv: given?.extra_env ?? [],
  };
}

function etcd(ctx: SpecContext, { root, given }: GivenServices): Services['etcd'] {
  const e = given.etcd ?? {};
  const at = `${root}.etcd`;
  const backup = e.backup_config;
  const hours = ctx.int(`${at}.backup_config.interval_hours`, backup?.interval_hours, 1, 8760, 12);
  const count = ctx.int(`${at}.backup_config.retention`, backup?.retention, 1, 10000, 6);
  const snapshot = {
    enabled: ctx.pick(
      'services.etcd.snapshot',
      [
        { path: `${at}.snapshot`, value: e.snapshot },
        { path: `${at}.backup_config.enabled`, value: backup?.enabled },
      ],
      DEFAULTS.etcdSnapshot,
    ),
    creation: ctx.pick(
      'services.etcd.creation',
      [
        { path: `${at}.creation`, value: e.creation },
        {
          path: `${at}.backup_config.interval_hours`,
          value: backup?.interval_hours !== undefined ? `${hours}h` : undefined,
        },
      ],
      DEFAULTS.etcdSnapshotCreation,
    ),
    retention: ctx.pick(
      'services.etcd.retention',
      [
        { path: `${at}.retention`, value: e.retention },
        { path: `${at}.backup_config.retention`, value: backup && `${hours * count}h` },
      ],
      DEFAULTS.etcdSnapshotRetention,
    ),
  };
  const s3 = s3Backup(ctx, `${at}.backup_config`, backup);
  const user = etcdUser(ctx, at, e);
  // below the 15 min an etcd host activity may take (workflows/options.ts)
  const backupTimeoutSeconds = ctx.int(`${at}.backup_config.timeout`, backup?.timeout, 1, 840, 600);
  return {
    ...base(ctx, root, 'etcd', e),
    snapshot,
    backupTimeoutSeconds,
    ...(s3 ? { s3 } : {}),
    ...(user ? { user } : {}),
  };
}

/** `uid:gid` when both are given and not 0 (RKE ignores one without the other; zke says so). */
function etcdUser(ctx: SpecContext, at: string, e: { uid?: number | string; gid?: number | string }) {
  const uid = ctx.int(`${at}.uid`, e.uid, 0, 2 ** 31 - 1, 0);
  const gid = ctx.int(`${at}.gid`, e.gid, 0, 2 ** 31 - 1, 0);
  if (uid === 0 && gid === 0) return undefined;
  if (uid === 0 || gid === 0) {
    ctx.error(uid === 0 ? `${at}.uid` : `${at}.gid`, 'give both uid and gid (not 0): etcd runs as uid:gid');
    return undefined;
  }
  return `${uid}:${gid}`;
}

export function normalizeServices(ctx: SpecContext, services: GivenServices, version: string): Services {
  const { root, given } = services;
  const api = given['kube-api'] ?? {};
  ctx.locate('services.kube-api.serviceNodePortRange', `${root}.kube-api.service_node_port_range`);
  const [controller, scheduler, kubeproxy] = (['kube-controller', 'scheduler', 'kubeproxy'] as const).map(
    (name) => base(ctx, root, name, given[name]),
  ) as [ServiceOptions, ServiceOptions, ServiceOptions];
  return {
    etcd: etcd(ctx, services),
    'kube-api': {
      ...base(ctx, root, 'kube-api', api),
      serviceNodePortRange: api.service_node_port_range ?? DEFAULTS.serviceNodePortRange,
      alwaysPullImages: api.always_pull_images ?? false,
      ...kubeApiHardening(ctx, `${root}.kube-api`, api, version),
    },
    'kube-controller': controller,
    scheduler,
    kubelet: {
      ...base(ctx, root, 'kubelet', given.kubelet),
      failSwapOn: given.kubelet?.fail_swap_on ?? false,
      generateServingCertificate: given.kubelet?.generate_serving_certificate ?? false,
    },
    kubeproxy,
  };
}
