// The host policy for submitted specs: every key and certificate path the worker reads (a node's, the bastion's)
// in a key directory, every address it connects to one it may (see common/hostPolicy.ts). A spec that breaks it
// is refused with 422.
import { checkAddress, keyPathProblem } from '../../common/hostPolicy.ts';
import type { ClusterSpec, SshAccess } from '../../model/spec/types.ts';
import { type FieldError, invalid } from '../problem.ts';

/** A host zke connects to: a node, or the bastion host; `at` is its path in the file, `who` names it. */
interface Reached {
  readonly at: string;
  readonly who: string;
  readonly address: string;
  readonly ssh: SshAccess;
}

/** The files the worker reads for this access: the key file (not with an inline key or the agent), the certificate. */
function filesRead(ssh: SshAccess): [string, string][] {
  const files: [string, string][] = [];
  if (!ssh.key && !ssh.agent) files.push(['ssh_key_path', ssh.keyPath]);
  if (ssh.cert === undefined && ssh.certPath !== undefined) files.push(['ssh_cert_path', ssh.certPath]);
  return files;
}

async function hostErrors(host: Reached): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const [key, file] of filesRead(host.ssh)) {
    const problem = keyPathProblem(file);
    if (problem) errors.push({ path: `${host.at}.${key}`, message: `${host.who}: ${problem}` });
  }
  const { problem } = await checkAddress(host.address);
  if (problem)
    errors.push({ path: `${host.at}.address`, message: `${host.who}: ${host.address}: ${problem}` });
  return errors;
}

/** `addons_include` would make the worker read paths and fetch URLs: the zke CLI sends their manifests inline. */
function includeErrors(spec: ClusterSpec): FieldError[] {
  return spec.addonsInclude.map((source, i) => ({
    path: `addons_include[${i}]`,
    message: `${source}: the API reads no file or URL for a spec; the zke CLI reads addons_include where the cluster file is and sends the manifests in addons (do the same: put them in addons)`,
  }));
}

/** 422 naming each node (or the bastion host) and rule the spec breaks, and each addons_include entry. */
export async function enforceHostPolicy(spec: ClusterSpec): Promise<void> {
  const reached: Reached[] = spec.nodes.map((node, i) => ({
    at: `nodes[${i}]`,
    who: `node ${node.name}`,
    address: node.address,
    ssh: node.ssh,
  }));
  const bastion = spec.bastionHost;
  if (bastion) reached.push({ at: 'bastion_host', who: 'bastion host', ...bastion });
  const errors = [...(await Promise.all(reached.map(hostErrors))).flat(), ...includeErrors(spec)];
  if (errors.length > 0) throw invalid(errors);
}
