// Decides, per certificate, whether to keep it, re-issue it (same or new key) or create it, and why.
// No keys are generated here: the result says how many new keys are needed.
import type { CertSpec } from './catalog.ts';
import { isIssuedBy } from './parse.ts';
import { sanDifference } from './sans.ts';
import type { CertBundle, CertEntry } from './types.ts';

export type KeySource =
  | { kind: 'new' }
  | { kind: 'reuse' }
  /** The key of another certificate of this run (kube-node takes kube-proxy's). */
  | { kind: 'from'; name: string }
  /** A verbatim copy of another certificate of this run (service-account token of a new cluster). */
  | { kind: 'copy'; name: string };

export interface Decision {
  spec: CertSpec;
  action: 'created' | 'reissued' | 'kept';
  reason: string;
  key: KeySource;
}

interface Context {
  previous: CertBundle;
  rotated: Set<string>;
  now: Date;
  decided: Map<string, Decision>;
}

/** One decision per spec, in spec order (a CA is decided before the certificates it signs). */
export function planCerts(
  specs: CertSpec[],
  previous: CertBundle,
  rotated: Set<string>,
  now: Date,
): Decision[] {
  const context: Context = { previous, rotated, now, decided: new Map() };
  for (const spec of specs) context.decided.set(spec.name, decide(spec, context));
  return [...context.decided.values()];
}

function decide(spec: CertSpec, context: Context): Decision {
  const prev = context.previous[spec.name];
  if (!prev?.keyPem || !prev.certPem) return created(spec);
  if (context.rotated.has(spec.name))
    return { spec, action: 'reissued', reason: 'rotation requested', key: { kind: 'new' } };
  const reason = spec.kind === 'ca' ? checkCa(spec, prev, context.now) : staleReason(spec, prev, context);
  if (reason) return { spec, action: 'reissued', reason, key: { kind: 'reuse' } };
  return { spec, action: 'kept', reason: 'unchanged', key: { kind: 'reuse' } };
}

function created(spec: CertSpec): Decision {
  if (spec.copyOf) {
    return {
      spec,
      action: 'created',
      reason: `copy of ${spec.copyOf} (new cluster)`,
      key: { kind: 'copy', name: spec.copyOf },
    };
  }
  if (spec.keyFrom) {
    return {
      spec,
      action: 'created',
      reason: `new, with the key of ${spec.keyFrom}`,
      key: { kind: 'from', name: spec.keyFrom },
    };
  }
  return { spec, action: 'created', reason: 'new', key: { kind: 'new' } };
}

/** A CA is only replaced by a rotation; an expired one must be rotated explicitly (as in RKE). */
function checkCa(spec: CertSpec, prev: CertEntry, now: Date): undefined {
  if (Date.parse(prev.notAfter) <= now.getTime()) {
    throw new Error(`${spec.name} expired on ${prev.notAfter}: rotate the CA (rotate: { ca: true })`);
  }
  return undefined;
}

/** Why a kept leaf certificate can no longer be used as is, or undefined when it can. */
function staleReason(spec: CertSpec, prev: CertEntry, context: Context): string | undefined {
  const signer = context.decided.get(spec.signer)!;
  if (signer.action !== 'kept') return `signer ${spec.signer} ${signer.action}`;
  if (!isIssuedBy(prev.certPem, context.previous[spec.signer]!.certPem))
    return `not signed by the current ${spec.signer}`;
  if (Date.parse(prev.notAfter) <= context.now.getTime()) return `expired on ${prev.notAfter}`;
  if (spec.keyOnly) return undefined;
  return subjectChange(spec, prev) ?? sanChange(spec, prev);
}

function subjectChange(spec: CertSpec, prev: CertEntry): string | undefined {
  const before = subjectText(prev.commonName, prev.organization);
  const after = subjectText(spec.commonName, spec.organization);
  return before === after ? undefined : `subject changed: ${before} -> ${after}`;
}

function subjectText(commonName: string, organization?: string): string {
  return organization ? `O=${organization}, CN=${commonName}` : `CN=${commonName}`;
}

function sanChange(spec: CertSpec, prev: CertEntry): string | undefined {
  const required = spec.requiredSans ?? spec.sans;
  const missing = required.some((san) => !prev.sans.includes(san));
  const drifted = !spec.requiredSans && sanDifference(prev.sans, spec.sans).length > 0;
  return missing || drifted ? `SANs changed: ${sanDifference(prev.sans, spec.sans).join(', ')}` : undefined;
}
