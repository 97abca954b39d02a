// Why Docker could not pull an image, told from its answer: the registry lacks the tag, refused access, cannot be
// spoken to over TLS, or did not answer. The first three are permanent; an unreachable registry may come back.
import { ApplicationFailure } from '@temporalio/common';
import { imageDomain } from '../../model/images.ts';
import { NON_RETRYABLE, permanent } from '../ssh/errors.ts';

export type PullCause = 'missing' | 'denied' | 'tls' | 'unreachable' | 'other';

/** In order: Docker Hub answers a missing repository with "pull access denied ... does not exist". */
const CAUSES: readonly [PullCause, RegExp][] = [
  ['missing', /manifest unknown|manifest for \S+ not found|name unknown|repository \S+ not found/i],
  [
    'denied',
    /unauthorized|authentication required|no basic auth credentials|access denied|denied:|forbidden/i,
  ],
  ['tls', /x509:|server gave HTTP response to HTTPS client|tls: /i],
  [
    'unreachable',
    /dial tcp|connection refused|no such host|i\/o timeout|timeout|no route to host|network is unreachable|connection reset|EOF|lookup /i,
  ],
];

const EXPLAINED: Readonly<Record<Exclude<PullCause, 'other'>, string>> = {
  missing: 'it has no such image or tag',
  denied: 'it refused access (wrong or missing credentials: see private_registries user/password)',
  tls: "the host's Docker cannot speak TLS with it (plain HTTP or an untrusted certificate: list it in the host's insecure-registries or trust its CA)",
  unreachable: 'it could not be reached',
};

const TYPES: Readonly<Record<PullCause, string | undefined>> = {
  missing: NON_RETRYABLE.imageMissing,
  denied: NON_RETRYABLE.registryDenied,
  tls: NON_RETRYABLE.registryTls,
  unreachable: 'RegistryUnreachable',
  other: undefined,
};

export function pullCause(detail: string): PullCause {
  return CAUSES.find(([, pattern]) => pattern.test(detail))?.[0] ?? 'other';
}

/** The registry an image reference names, Docker Hub when it names none. */
export function imageRegistry(image: string): string {
  return imageDomain(image) ?? 'Docker Hub';
}

/** The registry Docker says it tried (`Get "https://host/v2/"`, mirrors included), else the image's own. */
export function triedRegistry(image: string, detail: string): string {
  return /Get "?https?:\/\/([^/"]+)\//.exec(detail)?.[1] ?? imageRegistry(image);
}

/** The failure for a pull Docker refused with `detail`; undefined when the cause is not one of the known ones. */
export function pullFailure(host: string, image: string, detail: string): ApplicationFailure | undefined {
  const cause = pullCause(detail);
  if (cause === 'other') return undefined;
  const registry = triedRegistry(image, detail);
  const message = `${host}: cannot pull ${image} from registry ${registry}: ${EXPLAINED[cause]} (Docker: ${detail})`;
  const type = TYPES[cause]!;
  return cause === 'unreachable' ? ApplicationFailure.retryable(message, type) : permanent(type, message);
}
