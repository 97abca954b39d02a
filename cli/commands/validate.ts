// zke validate [-c cluster.yml]: exit 0 and a short summary, or exit 1 and every error with its path.
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClusterSpec, SpecIssue } from '../../model/spec/index.ts';
import { parseClusterSpec, ROLES } from '../../model/spec/index.ts';
import { IncludeError, resolveAddonsInclude } from '../addonsInclude.ts';
import { type Command, EXIT } from '../command.ts';

const USAGE = `Usage: zke validate [-c cluster.yml]

Checks a cluster.yml (zke or RKE format) offline and lists every problem with its path.`;

export const DEFAULT_CONFIG = 'cluster.yml';

const line = (issue: SpecIssue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message);

export function printIssues(
  file: string,
  errors: readonly SpecIssue[],
  warnings: readonly SpecIssue[],
): void {
  for (const warning of warnings) console.error(`${file}: warning: ${line(warning)}`);
  if (errors.length === 0) return;
  console.error(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
  for (const error of errors) console.error(`  ${line(error)}`);
}

/** Reads and parses a cluster file; prints the problems and returns undefined when it is not valid. */
export async function loadSpec(file: string): Promise<ClusterSpec | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    console.error(`${file}: cannot read: ${(error as Error).message}`);
    return undefined;
  }
  try {
    text = await resolveAddonsInclude(text, dirname(file));
  } catch (error) {
    if (!(error instanceof IncludeError)) throw error;
    console.error(`${file}: ${error.message}`);
    return undefined;
  }
  const result = parseClusterSpec(text);
  printIssues(file, result.ok ? [] : result.errors, result.warnings);
  return result.ok ? result.spec : undefined;
}

export function summary(spec: ClusterSpec): string {
  const counts = ROLES.map((role) => `${spec.nodes.filter((n) => n.roles.includes(role)).length} ${role}`);
  return [
    `cluster "${spec.clusterName}" (${spec.sourceFormat} format), Kubernetes ${spec.kubernetesVersion}`,
    `${spec.nodes.length} node${spec.nodes.length === 1 ? '' : 's'}: ${counts.join(', ')}`,
    `network ${spec.network.plugin}, pods ${spec.network.podCidr}, services ${spec.network.serviceCidr}, DNS ${spec.network.dnsServiceIp}`,
  ].join('\n  ');
}

export function usageError(command: string, message: string, usage: string): number {
  console.error(`zke ${command}: ${message}\n\n${usage}`);
  return EXIT.usage;
}

const validate: Command = async (argv) => {
  let values: { config: string; help: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return usageError('validate', (error as Error).message, USAGE);
  }
  if (values.help) {
    console.log(USAGE);
    return EXIT.ok;
  }
  const spec = await loadSpec(values.config);
  if (!spec) return EXIT.failed;
  console.log(`${values.config}: valid\n  ${summary(spec)}`);
  return EXIT.ok;
};
export default validate;
