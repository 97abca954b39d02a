// The failure types that are permanent (retrying cannot help): activities throw them, and every workflow
// activity option set refuses to retry them. Plain data, so workflows import it deterministically.

export const NON_RETRYABLE = {
  auth: 'SshAuthFailed',
  hostKey: 'HostKeyMismatch',
  docker: 'DockerUnsupported',
  spec: 'InvalidSpec',
  disk: 'HostDiskFull',
  imageMissing: 'ImageNotFound',
  registryDenied: 'RegistryAccessDenied',
  registryTls: 'RegistryTlsMismatch',
  s3: 'S3Refused',
  portTaken: 'PortTaken',
  portUnreachable: 'PortUnreachable',
} as const;

/** For `retry.nonRetryableErrorTypes`. */
export const NON_RETRYABLE_TYPES: readonly string[] = Object.values(NON_RETRYABLE);
