// Where and how to reach one host. Keys are paths on the worker machine, never key material.
import type { RegistrySpec } from '../../model/spec/types.ts';

export interface SshTarget {
  /** Node name, used in messages. */
  host: string;
  address: string;
  port: number;
  user: string;
  keyPath: string;
  /** Inline key (zke's `ssh_key`), loaded from the encrypted store inside the activity; wins over keyPath. */
  privateKey?: string;
  /** An OpenSSH user certificate for the key (inline `ssh_cert`, wins over certPath); public, not secret. */
  cert?: string;
  certPath?: string;
  /** Authenticate with the keys of the agent at the worker's SSH_AUTH_SOCK instead of a key. */
  agent?: boolean;
  /** Expected host key fingerprint `SHA256:<base64>`; when absent the first one seen is reported for pinning. */
  hostKey?: string;
  dockerSocket?: string;
  /**
   * Set when the user is not root (a docker-group user, as RKE allows): what needs root runs in a short-lived
   * privileged container of this image (the tools image) in the host's mount namespace, through Docker.
   */
  rootImage?: string;
  /** Credentials for pulling rootImage (the spec's private_registries). */
  registries?: readonly RegistrySpec[];
  /** The jump host every connection goes through (`bastion_host`); its `host` names it in messages. */
  bastion?: SshTarget;
}
