// Where and how to reach one host. Keys are paths on the worker machine, never key material.
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
  /** The jump host every connection goes through (`bastion_host`); its `host` names it in messages. */
  bastion?: SshTarget;
}
