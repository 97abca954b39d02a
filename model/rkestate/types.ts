// RKE's state file (`cluster.rkestate`) as RKE writes it: the JSON tags of `FullState`, `State`
// (rancher/rke cluster/state.go) and `CertificatePKI` (rancher/rke pki/pki.go), field for field.
import { z } from 'zod';

/** pki.CertificatePKI without its `json:"-"` fields (parsed objects, CSR). */
export interface CertificatePki {
  certificatePEM: string;
  keyPEM: string;
  config: string;
  name: string;
  commonName: string;
  ouName: string;
  envName: string;
  path: string;
  keyEnvName: string;
  keyPath: string;
  configEnvName: string;
  configPath: string;
}

/** cluster.State: `rkeConfig` is RKE's RancherKubernetesEngineConfig (JSON tags, camelCase). */
export interface RkeState {
  rkeConfig?: Record<string, unknown>;
  certificatesBundle?: Record<string, CertificatePki>;
  /** The EncryptionConfiguration file's text; omitted (omitempty) when secrets encryption is off. */
  encryptionConfig?: string;
}

/** cluster.FullState. */
export interface RkeFullState {
  desiredState: RkeState;
  currentState: RkeState;
}

/** Go's encoding/json leaves a missing string empty: the derived fields may be absent. */
const derived = z.string().default('');
/** An error message for a value that is absent; zod's own for one of the wrong type. */
const whenMissing = (why: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `is missing: ${why}` : undefined),
});
const pem = (what: string) =>
  z.string(whenMissing(`the state holds no ${what}`)).min(1, `is empty: no ${what}`);

export const CertificatePkiSchema = z.object({
  certificatePEM: pem('certificate'),
  keyPEM: pem('private key'),
  config: derived,
  name: derived,
  commonName: derived,
  ouName: derived,
  envName: derived,
  path: derived,
  keyEnvName: derived,
  keyPath: derived,
  configEnvName: derived,
  configPath: derived,
});

/** What adoption needs: the running cluster's config and every certificate with its key. */
export const CurrentStateSchema = z.object(
  {
    rkeConfig: z.record(z.string(), z.unknown(), whenMissing('the state describes no running cluster')),
    certificatesBundle: z.record(
      z.string(),
      CertificatePkiSchema,
      whenMissing('the state holds no certificates'),
    ),
    encryptionConfig: z.string().optional(),
  },
  whenMissing('the state describes no running cluster (RKE writes it after a successful rke up)'),
);

export const FullStateSchema = z.object({
  desiredState: z.record(z.string(), z.unknown()).optional(),
  currentState: CurrentStateSchema,
});
