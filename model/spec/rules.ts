// Field rules: each returns null when the value is fine, else the problem in words (the caller adds the path).
import { isHostname, isIP, isIPv4 } from './net.ts';

export type Rule = (value: string) => string | null;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const EXTRA_ARG_KEY = /^[a-z0-9][a-z0-9-]*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters allowed in anything that names a file: no shell metacharacters, no whitespace. */
const SAFE_PATH = /^[A-Za-z0-9._/@+,=:%-]+$/;
const BIND_OPTIONS = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'private',
  'rprivate',
]);
const DURATION = /^([0-9]+(h|m|s))+$/;

const q = (value: string) => JSON.stringify(value);

export const address: Rule = (v) =>
  isIP(v) || isHostname(v) ? null : `${q(v)} is not an IP address or hostname`;

export const ipv4: Rule = (v) => (isIPv4(v) ? null : `${q(v)} is not an IPv4 address`);

export const ip: Rule = (v) => (isIP(v) ? null : `${q(v)} is not an IP address`);

export function dns1123Subdomain(v: string): string | null {
  const ok = v.length <= 253 && v.split('.').every((label) => DNS1123_LABEL.test(label));
  return ok
    ? null
    : `${q(v)} is not a valid DNS-1123 name (lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)`;
}

/** A cluster name, as the API takes it in URLs: a lower-case DNS name of at most 63 characters (dots allowed,
 *  as RKE users name clusters `home.local`). */
export function clusterName(v: string): string | null {
  return v.length <= 63 && dns1123Subdomain(v) === null
    ? null
    : `${q(v)} is not a valid cluster name (at most 63 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit)`;
}

export function dns1123Label(v: string): string | null {
  return v.length <= 63 && DNS1123_LABEL.test(v)
    ? null
    : `${q(v)} is not a valid DNS-1123 label (at most 63 lower-case letters, digits and "-")`;
}

export function labelKey(v: string): string | null {
  const slash = v.indexOf('/');
  const prefix = slash >= 0 ? v.slice(0, slash) : '';
  const name = slash >= 0 ? v.slice(slash + 1) : v;
  if (slash >= 0 && (prefix.length === 0 || dns1123Subdomain(prefix) !== null)) {
    return `label key ${q(v)} has an invalid prefix (must be a DNS-1123 subdomain)`;
  }
  if (name.length > 63 || !LABEL_NAME.test(name)) {
    return `label key ${q(v)} is invalid (name part: at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit)`;
  }
  return null;
}

export function labelValue(v: string): string | null {
  return v === '' || (v.length <= 63 && LABEL_NAME.test(v))
    ? null
    : `label value ${q(v)} is invalid (at most 63 letters, digits, "-", "_", ".", starting and ending with a letter or digit)`;
}

export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export function taintEffect(v: string): string | null {
  return (TAINT_EFFECTS as readonly string[]).includes(v)
    ? null
    : `unknown taint effect ${q(v)} (known: ${TAINT_EFFECTS.join(', ')})`;
}

export function extraArgKey(v: string): string | null {
  return EXTRA_ARG_KEY.test(v)
    ? null
    : `extra_args key ${q(v)} is invalid (lower-case letters, digits and "-", without leading dashes)`;
}

/** The roots of Traefik's static configuration, as its flags name them (case does not matter to Traefik). */
const TRAEFIK_ROOTS = new Set(
  'global serverstransport tcpserverstransport entrypoints providers api metrics ping log accesslog tracing hostresolver certificatesresolvers experimental core spiffe ocsp'.split(
    ' ',
  ),
);

/** An ingress extra_args key: a Traefik flag (what runs), not an ingress-nginx one. */
export function traefikFlag(v: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(v)) return `extra_args key ${q(v)} is not a flag name`;
  if (TRAEFIK_ROOTS.has(v.split('.')[0]!.toLowerCase())) return null;
  return `Traefik, zke's ingress controller, has no flag ${q(v)} (an ingress-nginx flag?): give a Traefik flag such as log.level, or remove it`;
}

export function plainValue(v: string): string | null {
  return /[\n\r\0]/.test(v) ? `${q(v)} must not contain newlines or NUL characters` : null;
}

export function extraEnv(v: string): string | null {
  const eq = v.indexOf('=');
  if (eq <= 0 || !ENV_KEY.test(v.slice(0, eq))) {
    return `${q(v)} is not KEY=value with KEY made of letters, digits and "_" (not starting with a digit)`;
  }
  return plainValue(v.slice(eq + 1));
}

/** An absolute path without shell metacharacters or ".." segments. */
export function absolutePath(v: string): string | null {
  if (!v.startsWith('/')) return `${q(v)} is not an absolute path`;
  if (!SAFE_PATH.test(v)) return `${q(v)} contains characters that are not allowed in a path`;
  if (v.split('/').includes('..')) return `${q(v)} must not contain ".." segments`;
  return null;
}

/** A local file path (the key files on the machine running zke): absolute, relative or "~/...". */
export function localPath(v: string): string | null {
  const rest = v.startsWith('~/') ? v.slice(2) : v;
  return rest.length > 0 && SAFE_PATH.test(rest)
    ? null
    : `${q(v)} contains characters that are not allowed in a path`;
}

export function extraBind(v: string): string | null {
  const parts = v.split(':');
  if (parts.length < 2 || parts.length > 3) return `${q(v)} is not "host-path:container-path[:options]"`;
  const [source, target, options] = parts as [string, string, string | undefined];
  const pathProblem = absolutePath(source) ?? absolutePath(target);
  if (pathProblem) return `bind ${q(v)}: ${pathProblem}`;
  const unknown = (options?.split(',') ?? []).filter((o) => !BIND_OPTIONS.has(o));
  return unknown.length === 0
    ? null
    : `bind ${q(v)} has unknown options ${unknown.join(',')} (known: ${[...BIND_OPTIONS].join(', ')})`;
}

export function duration(v: string): string | null {
  return DURATION.test(v) ? null : `${q(v)} is not a duration like 12h, 30m or 1h30m`;
}

export function hostKeyFingerprint(v: string): string | null {
  return /^SHA256:[A-Za-z0-9+/]{43}=?$/.test(v)
    ? null
    : `${q(v)} is not an SSH host key fingerprint (SHA256:<43 base64 characters>, as ssh-keygen -lf prints)`;
}

/** Either a count ("2", 2) or a percentage ("10%"). */
export function countOrPercent(v: string): string | null {
  return /^([1-9][0-9]*|[1-9][0-9]?%|100%)$/.test(v)
    ? null
    : `${q(v)} is not a positive count or a percentage like 10%`;
}

export function portRange(v: string): string | null {
  const match = /^([0-9]+)-([0-9]+)$/.exec(v);
  const [low, high] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return match && low >= 1 && low < high && high <= 65535
    ? null
    : `${q(v)} is not a port range like 30000-32767`;
}

export function registryUrl(v: string): string | null {
  const [hostPort = '', ...path] = v.split('/');
  const [host = '', port, ...rest] = hostPort.split(':');
  const hostOk = isHostname(host) || isIPv4(host);
  const portOk = port === undefined || (/^[0-9]{1,5}$/.test(port) && Number(port) <= 65535);
  const pathOk = path.every((segment) => /^[a-z0-9]+([._-][a-z0-9]+)*$/.test(segment));
  return hostOk && portOk && pathOk && rest.length === 0
    ? null
    : `${q(v)} is not a registry host[:port][/namespace] (no scheme)`;
}

const IMAGE_REF =
  /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::\w[\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export function imageRef(v: string): string | null {
  return IMAGE_REF.test(v) ? null : `${q(v)} is not an image reference like registry:5000/name:tag`;
}
