// One place that builds the data converter and Temporal connections for client, worker and API.
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './codec.ts';
import { config, homePath } from './config.ts';
import { loadOrCreateKeyring } from './keyring.ts';

export function keyringPath(): string {
  return process.env.ZKE_KEYRING || homePath('keys', 'payload-keyring.json');
}

/** Also bundled into the workflow sandbox: workflow failures are converted like activity failures. */
export const failureConverterPath = fileURLToPath(new URL('./failureConverter.ts', import.meta.url));

export function dataConverter(): DataConverter {
  return {
    payloadCodecs: [new EncryptionCodec(loadOrCreateKeyring(keyringPath()))],
    failureConverterPath,
  };
}

export async function connectClient(address = config.temporalAddress): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5s' });
  return new Client({ connection, namespace: config.namespace, dataConverter: dataConverter() });
}
