// zke pki generate [-c cluster.yml] -o DIR [--rotate [--service NAME]... | --rotate-ca]
// Writes the certificate set the way RKE lays it out in /etc/kubernetes/ssl, plus kube_config_cluster.yml.
// Re-running on the same directory reuses its keys and certificates (only what changed is re-issued).
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  adminCredentialsFrom,
  adminKubeconfig,
  CERT_MODE,
  type CertBundle,
  type CertChange,
  certFiles,
  entryFromPem,
  generateBundle,
  KEY_MODE,
  type NodeFile,
  type PkiInput,
  type PkiNode,
  pkiInputOf,
  type RotateOptions,
} from '../../model/pki/index.ts';
import { type Command, EXIT } from '../command.ts';
import { loadSpec } from './validate.ts';

export const ADMIN_KUBECONFIG = 'kube_config_cluster.yml';
const USAGE = `Usage: zke pki generate [-c cluster.yml] -o DIR [--rotate [--service NAME]...] [--rotate-ca]

Writes <name>.pem, <name>-key.pem and kubecfg-<name>.yaml as RKE lays them out in /etc/kubernetes/ssl,
kube-admin.pem and kube-admin-key.pem as in RKE's certificate directory, plus ${ADMIN_KUBECONFIG}. Certificates and keys already in DIR are reused when still valid.
  --rotate          new keys for every service certificate (not the CAs, not the service-account key)
  --service NAME    with --rotate: only this service (etcd, kube-apiserver, kubelet, ...) or certificate
  --rotate-ca       new CAs and every certificate re-issued`;

const pki: Command = async (argv) => {
  let args: ReturnType<typeof parseCli>;
  try {
    args = parseCli(argv);
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = args;
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  if (positionals[0] !== 'generate' || positionals.length > 1)
    return usageError('expected "zke pki generate"');
  if (!values.out) return usageError('-o DIR is required');
  if (values.service.length > 0 && !values.rotate) return usageError('--service needs --rotate');
  const rotate =
    values.rotate || values['rotate-ca'] ? { ca: values['rotate-ca'], services: values.service } : undefined;
  const spec = await loadSpec(values.config);
  if (!spec) return EXIT.failed;
  try {
    const input = pkiInputOf(spec, new Date().toISOString());
    printChanges(await writePkiDir(input, values.out, rotate));
    console.log(`wrote ${values.out} and ${join(values.out, ADMIN_KUBECONFIG)}`);
    return EXIT.ok;
  } catch (error) {
    console.error(`zke pki: ${(error as Error).message}`);
    return EXIT.failed;
  }
};
export default pki;

function parseCli(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c', default: 'cluster.yml' },
      out: { type: 'string', short: 'o' },
      rotate: { type: 'boolean', default: false },
      service: { type: 'string', multiple: true, default: [] },
      'rotate-ca': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function usageError(message: string): number {
  console.error(`zke pki: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

/** Generates (or refreshes) the bundle in `dir` and returns what changed. */
export async function writePkiDir(
  input: PkiInput,
  dir: string,
  rotate?: RotateOptions,
): Promise<CertChange[]> {
  const server = `https://${firstControlplane(input).address}:6443`;
  const { bundle, changes } = await generateBundle(input, await readPkiDir(dir), { rotate });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await removeFiles(
    dir,
    changes.filter((c) => c.action === 'removed').map((c) => c.name),
  );
  for (const file of layoutFiles(bundle, input.nodes)) await writeFileWithMode(dir, file);
  const admin = {
    path: ADMIN_KUBECONFIG,
    mode: 0o600,
    content: adminKubeconfig(bundle, server, input.clusterName),
  };
  await writeFileWithMode(dir, admin);
  return changes;
}

/** The bundle found in a directory written by `writePkiDir` (empty when there is none). */
export async function readPkiDir(dir: string): Promise<CertBundle> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const bundle: CertBundle = {};
  for (const certFile of names.filter((n) => n.endsWith('.pem') && !n.endsWith('-key.pem'))) {
    const name = certFile.slice(0, -'.pem'.length);
    if (!names.includes(`${name}-key.pem`)) continue;
    const [certPem, keyPem] = await Promise.all(
      [certFile, `${name}-key.pem`].map((f) => readFile(join(dir, f), 'utf8')),
    );
    bundle[name] = entryFromPem(name, certPem!, keyPem!);
  }
  const admin = names.includes(ADMIN_KUBECONFIG)
    ? adminCredentialsFrom(await readFile(join(dir, ADMIN_KUBECONFIG), 'utf8'))
    : undefined;
  // kube-admin.pem wins (RKE's layout); directories written before it existed keep it only in the kubeconfig
  if (admin && !bundle['kube-admin'])
    bundle['kube-admin'] = entryFromPem('kube-admin', admin.certPem, admin.keyPem);
  return bundle;
}

/**
 * Every node's files merged into one directory, as a controlplane+etcd+worker host would have them, plus
 * every certificate and key of the bundle as RKE's certificate directory holds them (kube-admin included).
 */
function layoutFiles(bundle: CertBundle, nodes: PkiNode[]): NodeFile[] {
  const byPath = new Map<string, NodeFile>();
  for (const node of nodes)
    for (const file of certFiles(bundle, node))
      byPath.set(basename(file.path), { ...file, path: basename(file.path) });
  for (const entry of Object.values(bundle)) {
    byPath.set(`${entry.name}.pem`, { path: `${entry.name}.pem`, mode: CERT_MODE, content: entry.certPem });
    byPath.set(`${entry.name}-key.pem`, {
      path: `${entry.name}-key.pem`,
      mode: KEY_MODE,
      content: entry.keyPem,
    });
  }
  return [...byPath.values()];
}

async function writeFileWithMode(dir: string, file: NodeFile): Promise<void> {
  const path = join(dir, file.path);
  await writeFile(path, file.content, { mode: file.mode });
  await chmod(path, file.mode);
}

async function removeFiles(dir: string, certNames: string[]): Promise<void> {
  const paths = certNames.flatMap((n) => [`${n}.pem`, `${n}-key.pem`, `kubecfg-${n}.yaml`]);
  await Promise.all(paths.map((p) => rm(join(dir, p), { force: true })));
}

function printChanges(changes: CertChange[]): void {
  for (const c of changes) console.log(`${c.action.padEnd(9)} ${c.name.padEnd(36)} ${c.reason}`);
}

function firstControlplane(input: PkiInput): PkiNode {
  const node = input.nodes.find((n) => n.roles.includes('controlplane'));
  if (!node) throw new Error('nodes: at least one node needs the controlplane role');
  return node;
}
