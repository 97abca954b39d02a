// Which certificates a rotation request re-issues with new keys (RKE `cert rotate`, research notes §3.5).
import { type CertSpec, ROTATABLE_SERVICES } from './catalog.ts';
import type { RotateOptions } from './types.ts';

/**
 * - `ca`: both CAs and every certificate get new keys, except the service-account token key, which is
 *   re-signed by the new CA with its old key (RKE keeps it so existing tokens stay valid).
 * - `services`: the certificates of those services (or those certificate names) only.
 * - neither: every service certificate except the service-account token key; the CAs are kept.
 */
export function rotatedNames(specs: CertSpec[], rotate?: RotateOptions): Set<string> {
  if (!rotate) return new Set();
  if (rotate.ca) return namesWhere(specs, (s) => !s.keptOnRotation);
  const services = rotate.services ?? [];
  if (services.length === 0) return namesWhere(specs, (s) => s.kind !== 'ca' && !s.keptOnRotation);
  checkServiceNames(specs, services);
  return namesWhere(specs, (s) => services.includes(s.name) || s.services.some((x) => services.includes(x)));
}

function namesWhere(specs: CertSpec[], keep: (spec: CertSpec) => boolean): Set<string> {
  return new Set(specs.filter(keep).map((s) => s.name));
}

function checkServiceNames(specs: CertSpec[], services: string[]): void {
  const leaves = specs.filter((s) => s.kind !== 'ca').map((s) => s.name);
  const known = new Set([...ROTATABLE_SERVICES, ...leaves]);
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    throw new Error(
      `cannot rotate ${unknown.join(', ')}: known services are ${ROTATABLE_SERVICES.join(', ')} ` +
        '(or a certificate name); rotate the CAs with ca: true',
    );
  }
}
