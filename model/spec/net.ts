// Pure IPv4/IPv6/hostname/CIDR helpers used by validation and the plan (no node: modules).

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit number; null when invalid. */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function isIPv4(text: string): boolean {
  return parseIPv4(text) !== null;
}

const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

export function isIPv6(text: string): boolean {
  if (!text.includes(':')) return false;
  let body = text;
  let groupsFromV4 = 0;
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(body.slice(lastColon + 1))) return false;
    body = `${body.slice(0, lastColon + 1)}0`;
    groupsFromV4 = 1;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((g) => IPV6_GROUP.test(g))) return false;
  const count = groups.length + groupsFromV4;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export function isIP(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** RFC 1123 host name; an all-numeric last label is refused so that "10.0.0.300" is not a host name. */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.split('.');
  if (!labels.every((label) => HOST_LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1]!);
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export interface CidrV4 {
  readonly base: number;
  readonly bits: number;
}

export type CidrParse = { ok: true; cidr: CidrV4 } | { ok: false; problem: string };

/** Parses "a.b.c.d/n"; host bits must be zero. */
export function parseCidrV4(text: string): CidrParse {
  const [address, bitsText, ...rest] = text.split('/');
  const base = parseIPv4(address ?? '');
  if (rest.length > 0 || base === null || bitsText === undefined || !/^[0-9]{1,2}$/.test(bitsText)) {
    return { ok: false, problem: `"${text}" is not an IPv4 CIDR (like 10.42.0.0/16)` };
  }
  const bits = Number(bitsText);
  if (bits > 32) return { ok: false, problem: `"${text}" has a prefix length above 32` };
  const size = 2 ** (32 - bits);
  const aligned = Math.floor(base / size) * size;
  if (aligned !== base) {
    return {
      ok: false,
      problem: `"${text}" has host bits set (did you mean ${formatIPv4(aligned)}/${bits}?)`,
    };
  }
  return { ok: true, cidr: { base, bits } };
}

function cidrEnd(cidr: CidrV4): number {
  return cidr.base + 2 ** (32 - cidr.bits) - 1;
}

export function cidrContains(cidr: CidrV4, ip: number): boolean {
  return ip >= cidr.base && ip <= cidrEnd(cidr);
}

export function cidrsOverlap(a: CidrV4, b: CidrV4): boolean {
  return a.base <= cidrEnd(b) && b.base <= cidrEnd(a);
}

/** The n-th address of a CIDR (1 = first usable; the kubernetes service IP is nthAddress(serviceCidr, 1)). */
export function nthAddress(cidr: CidrV4, n: number): string {
  return formatIPv4(cidr.base + n);
}

/** An inclusive IPv4 address range: both ends as numbers. */
export interface RangeV4 {
  readonly first: number;
  readonly last: number;
}

export type RangeParse = { ok: true; range: RangeV4 } | { ok: false; problem: string };

/** "a.b.c.d-e.f.g.h" (first to last, inclusive) or a CIDR "a.b.c.d/n", as MetalLB's address pools take them. */
export function parseRangeV4(text: string): RangeParse {
  if (text.includes('/')) {
    const parsed = parseCidrV4(text);
    return parsed.ok ? { ok: true, range: cidrRange(parsed.cidr) } : parsed;
  }
  const [from, to, ...rest] = text.split('-');
  const first = parseIPv4(from ?? '');
  const last = parseIPv4(to ?? '');
  if (rest.length > 0 || first === null || last === null) {
    return { ok: false, problem: `"${text}" is not an IPv4 range (like 10.0.0.200-10.0.0.210) or CIDR` };
  }
  if (first > last) return { ok: false, problem: `"${text}" ends before it starts` };
  return { ok: true, range: { first, last } };
}

export function cidrRange(cidr: CidrV4): RangeV4 {
  return { first: cidr.base, last: cidrEnd(cidr) };
}

export function rangesOverlap(a: RangeV4, b: RangeV4): boolean {
  return a.first <= b.last && b.first <= a.last;
}
