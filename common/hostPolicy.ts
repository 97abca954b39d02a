// What an API request may make this machine do: read SSH keys only from the configured key directories, image
// archives only from the image directories, and connect to node addresses other than its own (loopback,
// unspecified, link-local and cloud-metadata addresses are refused unless an operator allows them). Settings:
// ZKE_SSH_KEY_DIRS, ZKE_IMAGE_DIRS, ZKE_ALLOWED_NODE_CIDRS.
import dns from 'node:dns/promises';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { config } from './config.ts';

/** `~/x` → the worker user's home; relative paths from the working directory; `..` left for physicalPath. */
function absolute(p: string): string {
  if (p.startsWith('~/')) return `${os.homedir()}/${p.slice(2)}`;
  return path.isAbsolute(p) ? p : `${process.cwd()}/${p}`;
}

/**
 * The physical path `p` names: each existing component's symlinks resolved before the next one (so `..`
 * after a symlink climbs from its target, as the kernel does); components past the first missing one are
 * taken as written.
 */
export function physicalPath(p: string): string {
  let current = '/';
  for (const part of absolute(p).split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') current = path.dirname(current);
    else current = realpathOr(path.join(current, part));
  }
  return current;
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Whether `p` lies (physically, symlinks resolved) inside one of `dirs`. */
function insideDirs(p: string, dirs: readonly string[]): boolean {
  const target = physicalPath(p);
  return dirs.map(physicalPath).some((dir) => target.startsWith(dir.endsWith('/') ? dir : `${dir}/`));
}

export const KEY_DIRS_RULE = 'SSH keys are read only from the key directories';

/** Why the worker may not read this key path, or undefined when it lies in a key directory. */
export function keyPathProblem(keyPath: string): string | undefined {
  const dirs = config.sshKeyDirs;
  if (insideDirs(keyPath, dirs)) return undefined;
  return `"${keyPath}" is outside them: ${KEY_DIRS_RULE} (${dirs.join(', ')}; ZKE_SSH_KEY_DIRS changes them)`;
}

export const IMAGE_DIRS_RULE = 'image archives are read only from the image directories';

/**
 * Why the worker may not load this image archive (a path on the zke server: not absolute, outside the image
 * directories, or no such file), with what to do; undefined when it may.
 */
export function archivePathProblem(archive: string): string | undefined {
  const dirs = config.imageDirs;
  const where = `copy the archive (docker save output) into ${dirs.join(' or ')} on the machine zke's worker runs on`;
  if (!path.isAbsolute(archive))
    return `"${archive}" is not an absolute path: archives are files on the zke server; ${where}`;
  if (!insideDirs(archive, dirs))
    return `"${archive}" is outside them: ${IMAGE_DIRS_RULE} (${dirs.join(', ')}; ZKE_IMAGE_DIRS changes them); ${where}`;
  if (!fs.statSync(archive, { throwIfNoEntry: false })?.isFile())
    return `"${archive}": no such file on the zke server; ${where}`;
  return undefined;
}

/** Addresses of this machine or its cloud's metadata service: a node there would make zke probe itself. */
const REFUSED: readonly [string, number, 'ipv4' | 'ipv6'][] = [
  ['127.0.0.0', 8, 'ipv4'],
  ['0.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['::1', 128, 'ipv6'],
  ['::', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fd00:ec2::254', 128, 'ipv6'],
];
const refused = new net.BlockList();
for (const [address, prefix, type] of REFUSED) refused.addSubnet(address, prefix, type);

export const ADDRESS_RULE =
  'loopback, unspecified, link-local and metadata addresses (127.0.0.0/8, 0.0.0.0/8, 169.254.0.0/16, ::1, ::, fe80::/10) are refused';

function allowedCidrs(): net.BlockList {
  const allowed = new net.BlockList();
  for (const cidr of config.allowedNodeCidrs) {
    const [address = '', prefix] = cidr.split('/');
    const type = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
    const bits = Number(prefix ?? (type === 'ipv4' ? 32 : 128));
    if (!type || !Number.isInteger(bits)) throw new Error(`ZKE_ALLOWED_NODE_CIDRS: "${cidr}" is not a CIDR`);
    allowed.addSubnet(address, bits, type);
  }
  return allowed;
}

/** Why an IP address may not be a node's, or undefined. */
function ipProblem(ip: string): string | undefined {
  const type = net.isIPv4(ip) ? 'ipv4' : 'ipv6';
  if (!refused.check(ip, type) || allowedCidrs().check(ip, type)) return undefined;
  return `${ADDRESS_RULE} unless ZKE_ALLOWED_NODE_CIDRS allows them`;
}

/** The IP addresses `address` stands for (itself when it is one); [] when it does not resolve in time. */
async function resolveAddress(address: string, timeoutMs = 3000): Promise<string[]> {
  if (net.isIP(address)) return [address];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<[]>((resolve) => {
    timer = setTimeout(() => resolve([]), timeoutMs);
  });
  const lookup = dns.lookup(address, { all: true }).then(
    (found) => found.map((a) => a.address),
    () => [],
  );
  return Promise.race([lookup, timeout]).finally(() => clearTimeout(timer));
}

/** The IPs a node address stands for, and why it may not be used (a name is judged by what it resolves to). */
export async function checkAddress(address: string): Promise<{ ips: string[]; problem?: string }> {
  const ips = await resolveAddress(address);
  for (const ip of ips) {
    const problem = ipProblem(ip);
    if (problem) return { ips, problem: ip === address ? problem : `resolves to ${ip}: ${problem}` };
  }
  return { ips };
}
