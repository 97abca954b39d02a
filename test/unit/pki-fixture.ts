// Shared inputs and openssl helpers for the PKI tests (test/unit/pki-*.test.ts).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertBundle, CertChange, PkiInput, PkiNode, PkiRole } from '../../model/pki/index.ts';
import { tempDir } from '../support/tempDir.ts';

export const NOW = '2025-01-01T00:00:00.000Z';

export function node(name: string, address: string, roles: PkiRole[], internalAddress = address): PkiNode {
  return { name, address, internalAddress, roles };
}

/** 3 nodes: cp1 is etcd + controlplane with a distinct internal address; two workers, one also edge. */
export function threeNodeInput(overrides: Partial<PkiInput> = {}): PkiInput {
  return {
    clusterName: 'demo',
    nodes: [
      node('cp1', '10.0.0.1', ['etcd', 'controlplane'], '192.168.0.1'),
      node('w1', '10.0.0.2', ['worker']),
      node('w2', '10.0.0.3', ['worker', 'edge']),
    ],
    extraSans: ['api.example.com', '172.16.0.10'],
    serviceCidr: '10.43.0.0/16',
    clusterDomain: 'cluster.local',
    now: NOW,
    ...overrides,
  };
}

export function withNodes(input: PkiInput, nodes: PkiNode[]): PkiInput {
  return { ...input, nodes };
}

/** Names of the certificates a run did not keep, as "action name", sorted. */
export function nonKept(changes: CertChange[]): string[] {
  return changes
    .filter((c) => c.action !== 'kept')
    .map((c) => `${c.action} ${c.name}`)
    .sort();
}

/** Writes every certificate as <dir>/<name>.pem and returns the directory. */
export function writeCerts(bundle: CertBundle): string {
  const dir = tempDir('zke-pki-test');
  for (const entry of Object.values(bundle)) writeFileSync(join(dir, `${entry.name}.pem`), entry.certPem);
  return dir;
}

/** `openssl verify -x509_strict -CAfile <signer>.pem <name>.pem`, output trimmed. */
export function opensslVerify(dir: string, name: string, signer: string): string {
  const args = ['verify', '-x509_strict', '-CAfile', join(dir, `${signer}.pem`), join(dir, `${name}.pem`)];
  return execFileSync('openssl', args, { encoding: 'utf8' }).trim();
}

/** `openssl x509 -noout -text` of a PEM. */
export function x509Text(pem: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: pem, encoding: 'utf8' });
}

/** The value printed on the line after an extension header, e.g. "X509v3 Key Usage". */
export function extension(text: string, header: string): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`${header}:`));
  return at < 0 ? undefined : lines[at + 1]!.trim();
}

/** The value of a one-line field such as "Subject" or "Issuer". */
export function field(text: string, name: string): string | undefined {
  const line = text.split('\n').find((l) => l.trim().startsWith(`${name}: `));
  return line?.trim().slice(name.length + 2);
}
