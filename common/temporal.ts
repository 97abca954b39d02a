// One place that builds the data converter and Temporal connections for client, worker and API.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
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

/**
 * mTLS to the Temporal frontend from PEM files: ZKE_TEMPORAL_TLS_CA (the CA that signed the frontend's
 * certificate), ZKE_TEMPORAL_TLS_CERT and ZKE_TEMPORAL_TLS_KEY (this process's client certificate), and
 * ZKE_TEMPORAL_TLS_SERVER_NAME (the name in the frontend's certificate, when not the address's host).
 * Plain gRPC when none is set.
 */
export function temporalTls(): TLSConfig | undefined {
  const { ca, cert, key, serverName } = config.temporalTls;
  if (!ca && !cert && !key) return undefined;
  if (!cert !== !key) throw new Error('ZKE_TEMPORAL_TLS_CERT and ZKE_TEMPORAL_TLS_KEY are set together');
  return {
    serverRootCACertificate: ca ? fs.readFileSync(ca) : undefined,
    clientCertPair: cert && key ? { crt: fs.readFileSync(cert), key: fs.readFileSync(key) } : undefined,
    serverNameOverride: serverName,
  };
}

export async function connectClient(address = config.temporalAddress): Promise<Client> {
  const connection = await Connection.connect({ address, connectTimeout: '5s', tls: temporalTls() });
  return new Client({ connection, namespace: config.namespace, dataConverter: dataConverter() });
}
