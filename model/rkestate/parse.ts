// The reverse of toRkeState: an RKE (or zke-exported) `cluster.rkestate` read back into zke's certificate
// bundle, for adoption. Its currentState is what runs; every certificate must come with its key, and
// each key must belong to its certificate. Errors name the field as it is spelled in the file.
import { X509Certificate } from 'node:crypto';
import type { z } from 'zod';
import { CA_NAME } from '../pki/catalog.ts';
import { entryFromPem, keyMatchesCert } from '../pki/parse.ts';
import type { CertBundle } from '../pki/types.ts';
import { type CertificatePki, FullStateSchema } from './types.ts';

export interface AdoptedState {
  /** RKE's RancherKubernetesEngineConfig as JSON (camelCase keys). */
  rkeConfig: Record<string, unknown>;
  bundle: CertBundle;
  encryptionConfig?: string;
}

export class InvalidRkeState extends Error {
  constructor(readonly issues: string[]) {
    super(`not a usable cluster.rkestate: ${issues.join('; ')}`);
    this.name = 'InvalidRkeState';
  }
}

/** A parsed state file's JSON (JSON.parse of the file). Throws InvalidRkeState naming every bad field. */
export function parseRkeState(document: unknown): AdoptedState {
  const parsed = FullStateSchema.safeParse(document);
  if (!parsed.success) throw new InvalidRkeState(parsed.error.issues.map(describeIssue));
  const current = parsed.data.currentState;
  const certs = current.certificatesBundle;
  if (!certs[CA_NAME])
    throw new InvalidRkeState([`currentState.certificatesBundle.${CA_NAME} is missing: no CA`]);
  const issues = Object.entries(certs).flatMap(([name, cert]) => pemIssues(name, cert));
  if (issues.length) throw new InvalidRkeState(issues);
  const bundle: CertBundle = Object.fromEntries(
    Object.entries(certs).map(([name, cert]) => [name, entryFromPem(name, cert.certificatePEM, cert.keyPEM)]),
  );
  return {
    rkeConfig: current.rkeConfig,
    bundle,
    ...(current.encryptionConfig ? { encryptionConfig: current.encryptionConfig } : {}),
  };
}

function pemIssues(name: string, cert: Pick<CertificatePki, 'certificatePEM' | 'keyPEM'>): string[] {
  const at = `currentState.certificatesBundle.${name}`;
  try {
    new X509Certificate(cert.certificatePEM);
  } catch (err) {
    return [`${at}.certificatePEM is not a PEM certificate (${(err as Error).message})`];
  }
  try {
    if (keyMatchesCert(cert.certificatePEM, cert.keyPEM)) return [];
    return [`${at}.keyPEM does not belong to its certificate`];
  } catch (err) {
    return [`${at}.keyPEM is not a PEM private key (${(err as Error).message})`];
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  return `${path || 'the file'} ${issue.message}`;
}
