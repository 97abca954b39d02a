// Load balancer checks: MetalLB's address pools must hold addresses, be well formed, not overlap each other,
// and stay clear of the pod and service CIDRs and of every node's addresses (each error names both sides).
import type { SpecContext } from './context.ts';
import {
  cidrRange,
  formatIPv4,
  parseCidrV4,
  parseIPv4,
  parseRangeV4,
  type RangeV4,
  rangesOverlap,
} from './net.ts';
import * as rules from './rules.ts';
import type { ClusterSpec } from './types.ts';
import { check } from './validate-nodes.ts';

/** A range some pool address must not overlap, and how an error names it. */
interface Taken {
  readonly range: RangeV4;
  readonly what: string;
}

function networkRanges(ctx: SpecContext, spec: ClusterSpec): Taken[] {
  const cidrs = [
    ['network.podCidr', 'pod CIDR', spec.network.podCidr],
    ['network.serviceCidr', 'service CIDR', spec.network.serviceCidr],
  ] as const;
  return cidrs.flatMap(([key, what, text]) => {
    const parsed = parseCidrV4(text);
    return parsed.ok ? [{ range: cidrRange(parsed.cidr), what: `the ${what} ${text} (${ctx.at(key)})` }] : [];
  });
}

function nodeRanges(spec: ClusterSpec): Taken[] {
  return spec.nodes.flatMap((node, i) => {
    const fields: [string, string][] = [['address', node.address]];
    if (node.internalAddress !== node.address) fields.push(['internal_address', node.internalAddress]);
    return fields.flatMap(([field, value]) => {
      const ip = parseIPv4(value);
      const what = `node ${node.name}'s ${field.replace('_', ' ')} ${value} (nodes[${i}].${field})`;
      return ip === null ? [] : [{ range: { first: ip, last: ip }, what }];
    });
  });
}

const showRange = (r: RangeV4) =>
  r.first === r.last ? formatIPv4(r.first) : `${formatIPv4(r.first)}-${formatIPv4(r.last)}`;

export function validateLoadBalancer(ctx: SpecContext, spec: ClusterSpec): void {
  const { provider, addressPools } = spec.loadBalancer;
  if (provider === 'none') return;
  const at = ctx.at('loadbalancer');
  if (!addressPools.some((pool) => pool.addresses.length > 0)) {
    ctx.error(`${at}.address_pools`, `${provider} needs at least one address pool with addresses`);
  }
  const taken = [...networkRanges(ctx, spec), ...nodeRanges(spec)];
  const names = new Map<string, number>();
  addressPools.forEach((pool, i) => {
    const path = `${at}.address_pools[${i}]`;
    check(ctx, `${path}.name`, pool.name, rules.dns1123Label);
    const twin = names.get(pool.name);
    if (twin !== undefined)
      ctx.error(`${path}.name`, `"${pool.name}" also names ${at}.address_pools[${twin}]`);
    names.set(pool.name, i);
    pool.addresses.forEach((text, j) => {
      const where = `${path}.addresses[${j}]`;
      const parsed = parseRangeOrReport(ctx, where, text);
      if (!parsed) return;
      for (const other of taken) {
        if (rangesOverlap(parsed, other.range)) ctx.error(where, `${text} overlaps ${other.what}`);
      }
      taken.push({ range: parsed, what: `${showRange(parsed)} (${where})` });
    });
  });
}

function parseRangeOrReport(ctx: SpecContext, path: string, text: string): RangeV4 | undefined {
  const parsed = parseRangeV4(text);
  if (parsed.ok) return parsed.range;
  ctx.error(path, parsed.problem);
  return undefined;
}
