// The host policy for submitted specs: every node's key path in a key directory, every node address one the
// worker may connect to (see common/hostPolicy.ts). A spec that breaks it is refused with 422.
import { checkAddress, keyPathProblem } from '../../common/hostPolicy.ts';
import type { ClusterSpec, NodeSpec } from '../../model/spec/types.ts';
import { type FieldError, invalid } from '../problem.ts';

async function nodeErrors(node: NodeSpec, i: number): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  const keyProblem = node.ssh.key ? undefined : keyPathProblem(node.ssh.keyPath);
  if (keyProblem)
    errors.push({ path: `nodes[${i}].ssh_key_path`, message: `node ${node.name}: ${keyProblem}` });
  const { problem } = await checkAddress(node.address);
  if (problem)
    errors.push({ path: `nodes[${i}].address`, message: `node ${node.name}: ${node.address}: ${problem}` });
  return errors;
}

/** 422 naming each node and rule the spec breaks. */
export async function enforceHostPolicy(spec: ClusterSpec): Promise<void> {
  const errors = (await Promise.all(spec.nodes.map(nodeErrors))).flat();
  if (errors.length > 0) throw invalid(errors);
}
