// RKE's state file: zke's record exported as `cluster.rkestate`, and read back for adoption.

export { adoptedEncryptionKeys, encryptionKeysToAdopt } from './encryption.ts';
export { certificatePki, type ExportInput, toRkeState } from './export.ts';
export { type AdoptedState, InvalidRkeState, parseRkeState } from './parse.ts';
export { rkeConfigOf } from './rke-config.ts';
export type * from './types.ts';
