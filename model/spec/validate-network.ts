// Network checks: CIDRs that do not overlap each other or the nodes, the DNS service IP, DNS and ingress.
import type { SpecContext } from './context.ts';
import { type CidrV4, cidrContains, cidrsOverlap, formatIPv4, parseCidrV4, parseIPv4 } from './net.ts';
import { childPath } from './paths.ts';
import * as rules from './rules.ts';
import { type ClusterSpec, runsFlannel } from './types.ts';
import { check, checkLabels } from './validate-nodes.ts';

const IFACE = /^[A-Za-z0-9._-]{1,15}$/;
const FLANNEL_BACKENDS = ['vxlan', 'host-gw'] as const;

function cidr(ctx: SpecContext, key: string, text: string): CidrV4 | undefined {
  const parsed = parseCidrV4(text);
  if (parsed.ok) return parsed.cidr;
  ctx.error(ctx.at(key), parsed.problem);
  return undefined;
}

const show = (c: CidrV4) => `${formatIPv4(c.base)}/${c.bits}`;

function checkNodesOutside(
  ctx: SpecContext,
  spec: ClusterSpec,
  range: CidrV4,
  key: string,
  what: string,
): void {
  spec.nodes.forEach((node, i) => {
    const fields: [string, string][] = [['address', node.address]];
    if (node.internalAddress !== node.address) fields.push(['internal_address', node.internalAddress]);
    for (const [field, value] of fields) {
      const ip = parseIPv4(value);
      if (ip !== null && cidrContains(range, ip)) {
        ctx.error(`nodes[${i}].${field}`, `${value} is inside the ${what} ${show(range)} (${ctx.at(key)})`);
      }
    }
  });
}

function checkDnsIp(ctx: SpecContext, spec: ClusterSpec, services: CidrV4 | undefined): void {
  const path = ctx.at('network.dnsServiceIp');
  const ip = parseIPv4(spec.network.dnsServiceIp);
  if (ip === null) {
    check(ctx, path, spec.network.dnsServiceIp, rules.ipv4);
  } else if (services && (!cidrContains(services, ip) || ip === services.base)) {
    ctx.error(path, `${spec.network.dnsServiceIp} is not inside the service CIDR ${show(services)}`);
  } else if (spec.network.dnsServiceIp === spec.network.kubernetesServiceIp) {
    ctx.error(
      path,
      `${spec.network.dnsServiceIp} is the kubernetes service IP (the first address of the service CIDR)`,
    );
  }
}

function checkRanges(ctx: SpecContext, spec: ClusterSpec): void {
  const pods = cidr(ctx, 'network.podCidr', spec.network.podCidr);
  const services = cidr(ctx, 'network.serviceCidr', spec.network.serviceCidr);
  if (pods && services && cidrsOverlap(pods, services)) {
    ctx.error(
      ctx.at('network.serviceCidr'),
      `service CIDR ${show(services)} overlaps the pod CIDR ${show(pods)} (${ctx.at('network.podCidr')})`,
    );
  }
  if (pods) checkNodesOutside(ctx, spec, pods, 'network.podCidr', 'pod CIDR');
  if (services) checkNodesOutside(ctx, spec, services, 'network.serviceCidr', 'service CIDR');
  checkDnsIp(ctx, spec, services);
}

/** Free-form option values end up in manifests and flags: one line each. */
function checkOptions(ctx: SpecContext, path: string, options: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(options))
    check(ctx, childPath(path, key), value, rules.plainValue);
}

function checkPlugin(ctx: SpecContext, spec: ClusterSpec): void {
  const { iface, options } = spec.network;
  if (iface !== undefined && !IFACE.test(iface)) {
    ctx.error(ctx.at('network.iface'), `${JSON.stringify(iface)} is not a network interface name`);
  }
  checkOptions(ctx, 'network.options', options);
  const backend = options.flannel_backend_type;
  if (runsFlannel(spec.network.plugin) && backend !== undefined) {
    const path = ctx.at('network.options.flannel_backend_type');
    ctx.member(path, backend, FLANNEL_BACKENDS, 'flannel backend');
  }
}

function checkAddons(ctx: SpecContext, spec: ClusterSpec): void {
  const dns = ctx.at('dns');
  spec.dns.upstreamNameservers.forEach((server, i) => {
    check(ctx, `${ctx.at('dns.upstreamNameservers')}[${i}]`, server, rules.ip);
  });
  spec.dns.reverseCidrs.forEach((range, i) => {
    const parsed = parseCidrV4(range);
    if (!parsed.ok) ctx.error(`${dns}.reversecidrs[${i}]`, parsed.problem);
  });
  checkLabels(ctx, `${dns}.node_selector`, spec.dns.nodeSelector);
  for (const [domain, servers] of Object.entries(spec.dns.stubDomains ?? {})) {
    const path = childPath(`${dns}.stubdomains`, domain);
    check(ctx, path, domain, rules.dns1123Subdomain);
    servers.forEach((server, i) => {
      check(ctx, `${path}[${i}]`, server, rules.ip);
    });
  }
  const ingress = ctx.at('ingress');
  checkLabels(ctx, `${ingress}.node_selector`, spec.ingress.nodeSelector);
  checkOptions(ctx, `${ingress}.options`, spec.ingress.options);
  checkOptions(ctx, ctx.at('monitoring.options'), spec.monitoring.options);
  for (const [key, value] of Object.entries(spec.ingress.extraArgs)) {
    const path = childPath(`${ingress}.extra_args`, key);
    check(ctx, path, key, rules.traefikFlag);
    check(ctx, path, value, rules.plainValue);
  }
}

export function validateNetwork(ctx: SpecContext, spec: ClusterSpec): void {
  checkRanges(ctx, spec);
  check(ctx, ctx.at('network.clusterDomain'), spec.network.clusterDomain, rules.dns1123Subdomain);
  checkPlugin(ctx, spec);
  checkAddons(ctx, spec);
  spec.authentication.sans.forEach((san, i) => {
    check(ctx, `authentication.sans[${i}]`, san, rules.address);
  });
}
