// Value checks on the normalized spec; every problem is reported at the path the user wrote.
import type { SpecContext } from './context.ts';
import { childPath } from './paths.ts';
import * as rules from './rules.ts';
import { type ClusterSpec, SERVICE_NAMES, type ServiceOptions } from './types.ts';
import { validateLoadBalancer } from './validate-loadbalancer.ts';
import { validateNetwork } from './validate-network.ts';
import { check, validateNodes } from './validate-nodes.ts';

const INCLUDE = /^(https?:\/\/[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+|[A-Za-z0-9._/@+,=:%~-]+)$/;

function checkService(ctx: SpecContext, at: string, service: ServiceOptions): void {
  for (const [key, value] of Object.entries(service.extraArgs)) {
    const path = childPath(`${at}.extra_args`, key);
    check(ctx, path, key, rules.extraArgKey);
    check(ctx, path, value, rules.plainValue);
  }
  service.extraBinds.forEach((bind, i) => {
    check(ctx, `${at}.extra_binds[${i}]`, bind, rules.extraBind);
  });
  service.extraEnv.forEach((env, i) => {
    check(ctx, `${at}.extra_env[${i}]`, env, rules.extraEnv);
  });
}

function validateServices(ctx: SpecContext, spec: ClusterSpec): void {
  for (const name of SERVICE_NAMES) checkService(ctx, ctx.at(`services.${name}`), spec.services[name]);
  const { snapshot } = spec.services.etcd;
  check(ctx, ctx.at('services.etcd.creation'), snapshot.creation, rules.duration);
  check(ctx, ctx.at('services.etcd.retention'), snapshot.retention, rules.duration);
  const ports = spec.services['kube-api'].serviceNodePortRange;
  check(ctx, ctx.at('services.kube-api.serviceNodePortRange'), ports, rules.portRange);
}

function validateRegistries(ctx: SpecContext, spec: ClusterSpec): void {
  let firstDefault: number | undefined;
  spec.privateRegistries.forEach((registry, i) => {
    if (registry.url !== '') check(ctx, `private_registries[${i}].url`, registry.url, rules.registryUrl);
    if (!registry.isDefault) return;
    if (firstDefault === undefined) firstDefault = i;
    else
      ctx.error(
        `private_registries[${i}].is_default`,
        `only one registry can be the default (also private_registries[${firstDefault}])`,
      );
  });
}

function validateCluster(ctx: SpecContext, spec: ClusterSpec): void {
  check(ctx, ctx.at('clusterName'), spec.clusterName, rules.clusterName);
  check(ctx, ctx.at('prefixPath'), spec.prefixPath, rules.absolutePath);
  const upgrade = spec.upgradeStrategy;
  check(
    ctx,
    ctx.at('upgradeStrategy.maxUnavailableWorker'),
    upgrade.maxUnavailableWorker,
    rules.countOrPercent,
  );
  check(
    ctx,
    ctx.at('upgradeStrategy.maxUnavailableControlplane'),
    upgrade.maxUnavailableControlplane,
    rules.countOrPercent,
  );
  if (spec.bastionHost && spec.bastionHost.address !== '') {
    check(ctx, 'bastion_host.address', spec.bastionHost.address, rules.address);
    check(ctx, ctx.at('bastion_host.ssh.keyPath'), spec.bastionHost.ssh.keyPath, rules.localPath);
  }
  spec.addonsInclude.forEach((include, i) => {
    if (!INCLUDE.test(include))
      ctx.error(`addons_include[${i}]`, `${JSON.stringify(include)} is not a file path or an http(s) URL`);
  });
}

export function validateSpec(ctx: SpecContext, spec: ClusterSpec): void {
  validateCluster(ctx, spec);
  validateNodes(ctx, spec);
  validateNetwork(ctx, spec);
  validateLoadBalancer(ctx, spec);
  validateServices(ctx, spec);
  validateRegistries(ctx, spec);
}
