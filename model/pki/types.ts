// Input and output shapes of the PKI. Plain JSON so a bundle can live in workflow state and on disk.
import type { CertKeyAlgorithm } from '../spec/types.ts';

export type PkiRole = 'etcd' | 'controlplane' | 'worker' | 'edge';

export interface PkiNode {
  name: string;
  address: string;
  /** Empty means "same as address". */
  internalAddress: string;
  roles: PkiRole[];
}

export interface PkiInput {
  clusterName: string;
  nodes: PkiNode[];
  /** `authentication.sans`: extra names and IPs for the kube-apiserver certificate. */
  extraSans: string[];
  serviceCidr: string;
  clusterDomain: string;
  /** Validity of new certificates, CAs included. Default 3650 (RKE: 10 years). */
  validityDays?: number;
  /** `kubelet.generate_serving_certificate`: a `kube-kubelet-<address>` serving certificate per node. */
  kubeletServingCerts?: boolean;
  /** Type of the keys this run generates. Default RSA-2048 (RKE's). */
  keyAlgorithm?: CertKeyAlgorithm;
  /** ISO time of this run: every validity period is computed from it, never from the clock. */
  now: string;
}

/** One certificate with its key, as stored in the bundle (and in RKE's state file). */
export interface CertEntry {
  name: string;
  /** CN actually written in the certificate. */
  commonName: string;
  organization?: string;
  certPem: string;
  keyPem: string;
  /** Subject alternative names (IPs and DNS names) actually written in the certificate. */
  sans: string[];
  /** ISO time. */
  notAfter: string;
  /** Lower-case hex. */
  serial: string;
  /** Name of the signing CA in the bundle; a CA names itself. */
  signer: string;
}

export type CertBundle = Record<string, CertEntry>;

export type ChangeAction = 'created' | 'reissued' | 'kept' | 'removed';

export interface CertChange {
  name: string;
  action: ChangeAction;
  reason: string;
  /** True when the certificate got a private key it did not have before. */
  newKey: boolean;
}

export interface RotateOptions {
  /** New kube-ca and requestheader CA; every certificate is re-issued. */
  ca?: boolean;
  /** Services (RKE names: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
   *  kube-proxy) or certificate names to rotate. Empty: every service certificate except the
   *  service-account token key. */
  services?: string[];
}

export interface GenerateOptions {
  rotate?: RotateOptions;
}

export interface BundleResult {
  bundle: CertBundle;
  changes: CertChange[];
}

/** A file a node gets under /etc/kubernetes/ssl. */
export interface NodeFile {
  path: string;
  mode: number;
  content: string;
}
