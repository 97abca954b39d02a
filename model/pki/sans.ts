// Subject alternative names as RKE computes them (`GetAltNames`): host addresses, names, fixed service names.
import { isIP } from 'node:net';
import type { PkiNode } from './types.ts';

/** The kubernetes service IP: the first address of the service CIDR (10.43.0.1 for 10.43.0.0/16). */
export function kubernetesServiceIp(serviceCidr: string): string {
  const [network, bits] = serviceCidr.split('/');
  const prefix = Number(bits);
  if (isIP(network ?? '') !== 4 || !Number.isInteger(prefix) || prefix < 0 || prefix > 30) {
    throw new Error(`service CIDR "${serviceCidr}" is not an IPv4 CIDR with a prefix of at most /30`);
  }
  const value = network!.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const first = value - (value % size) + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join('.');
}

/** The names every kube-apiserver and kube-etcd certificate carries. */
export function fixedSans(serviceIp: string, clusterDomain: string): string[] {
  return [
    '127.0.0.1',
    serviceIp,
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    `kubernetes.default.svc.${clusterDomain}`,
  ];
}

/** A host's own names: address, internal address and node name when they differ. */
export function hostSans(node: PkiNode): string[] {
  return unique([node.address, node.internalAddress || node.address, node.name]);
}

/** IPs first, then DNS names, without duplicates, each group in first-seen order. */
export function orderSans(values: string[]): string[] {
  const all = unique(values.filter((v) => v !== ''));
  return [...all.filter((v) => isIP(v)), ...all.filter((v) => !isIP(v))];
}

export function isIpSan(value: string): boolean {
  return isIP(value) !== 0;
}

/** What is in `next` but not in `previous` (+) and the other way round (-); empty when equal as sets. */
export function sanDifference(previous: string[], next: string[]): string[] {
  const before = new Set(previous);
  const after = new Set(next);
  return [
    ...next.filter((v) => !before.has(v)).map((v) => `+ ${v}`),
    ...previous.filter((v) => !after.has(v)).map((v) => `- ${v}`),
  ];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
