// generateBundle: the cluster's certificate bundle, reusing what is still valid from the previous one.
// model/pki uses node:crypto: it runs in activities and the CLI only, never inside workflows.
//
// Choice about kube-admin: RKE re-signs it on every run with the same key. Here it is kept while it is
// still valid and signed by the current CA, so an unchanged re-run is a no-op (identical bundle, no
// change reported); it is re-signed with the same key when its CA changes or it expires, and gets a new
// key on a full rotation.
import { type CertSpec, certCatalog } from './catalog.ts';
import { newPrivateKeyPems } from './keys.ts';
import { describeCert } from './parse.ts';
import { type Decision, planCerts } from './plan.ts';
import { rotatedNames } from './rotation.ts';
import type { BundleResult, CertBundle, CertChange, CertEntry, GenerateOptions, PkiInput } from './types.ts';
import { type Issuer, issueCertificate, issuerOf, randomSerial } from './x509.ts';

export const DEFAULT_VALIDITY_DAYS = 3650;
const DAY_MS = 86_400_000;

interface Run {
  now: Date;
  validityDays: number;
  previous: CertBundle;
  bundle: CertBundle;
  freshKeys: string[];
  issuers: Map<string, Issuer>;
}

export async function generateBundle(
  input: PkiInput,
  previous: CertBundle = {},
  opts: GenerateOptions = {},
): Promise<BundleResult> {
  const now = wholeSeconds(new Date(input.now));
  if (Number.isNaN(now.getTime())) throw new Error(`now "${input.now}" is not an ISO time`);
  const specs = certCatalog(input);
  const decisions = planCerts(specs, previous, rotatedNames(specs, opts.rotate), now);
  const newKeyCount = decisions.filter((d) => d.key.kind === 'new').length;
  const run: Run = {
    now,
    validityDays: input.validityDays ?? DEFAULT_VALIDITY_DAYS,
    previous,
    bundle: {},
    freshKeys: await newPrivateKeyPems(newKeyCount, input.keyAlgorithm),
    issuers: new Map(),
  };
  for (const decision of decisions) run.bundle[decision.spec.name] = materialize(decision, run);
  return { bundle: run.bundle, changes: [...decisions.map(toChange), ...removals(previous, run.bundle)] };
}

/** The certificates generateBundle would re-issue or create (no key is made): what a rotation's dry-run shows. */
export function reissuedNames(input: PkiInput, previous: CertBundle, opts: GenerateOptions = {}): string[] {
  const specs = certCatalog(input);
  const now = wholeSeconds(new Date(input.now));
  return planCerts(specs, previous, rotatedNames(specs, opts.rotate), now)
    .filter((d) => d.action !== 'kept')
    .map((d) => d.spec.name);
}

/** True when a run changed nothing (every certificate kept, none removed). */
export function isNoop(changes: CertChange[]): boolean {
  return changes.every((c) => c.action === 'kept');
}

function materialize(decision: Decision, run: Run): CertEntry {
  const { spec, key } = decision;
  if (decision.action === 'kept') return run.previous[spec.name]!;
  if (key.kind === 'copy') return { ...run.bundle[key.name]!, name: spec.name };
  return issue(spec, keyFor(decision, run), run);
}

function keyFor({ spec, key }: Decision, run: Run): string {
  if (key.kind === 'new') return run.freshKeys.pop()!;
  if (key.kind === 'from') return run.bundle[key.name]!.keyPem;
  return run.previous[spec.name]!.keyPem;
}

function issue(spec: CertSpec, keyPem: string, run: Run): CertEntry {
  const isCa = spec.kind === 'ca';
  const issuer = isCa ? undefined : issuerFor(spec.signer, run);
  const notBefore = issuer?.notBefore ?? run.now;
  const wanted = new Date(run.now.getTime() + run.validityDays * DAY_MS);
  const notAfter = issuer && issuer.notAfter < wanted ? issuer.notAfter : wanted;
  const certPem = issueCertificate({ ...spec, keyPem, issuer, notBefore, notAfter, serial: randomSerial() });
  return { name: spec.name, ...describeCert(certPem), certPem, keyPem, signer: spec.signer };
}

/** The signing CA of this run, parsed once. Leaves start when their CA starts (RKE) and end no later. */
function issuerFor(name: string, run: Run): Issuer {
  let issuer = run.issuers.get(name);
  if (!issuer) {
    const ca = run.bundle[name]!;
    issuer = issuerOf(ca.certPem, ca.keyPem);
    run.issuers.set(name, issuer);
  }
  return issuer;
}

function toChange({ spec, action, reason, key }: Decision): CertChange {
  return { name: spec.name, action, reason, newKey: action !== 'kept' && key.kind !== 'reuse' };
}

/** Certificates the cluster no longer needs, such as the kube-etcd-* of a removed etcd host. */
function removals(previous: CertBundle, bundle: CertBundle): CertChange[] {
  return Object.keys(previous)
    .filter((name) => !(name in bundle))
    .map((name) => ({ name, action: 'removed', reason: 'no longer part of the cluster', newKey: false }));
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
