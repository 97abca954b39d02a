// zke command-line entry: dispatches to one module per command under ./commands.
import { EXIT, type Command } from './command.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  config: { summary: 'write a commented starter cluster.yml', load: () => import('./commands/config.ts') },
  validate: { summary: 'validate a cluster.yml offline', load: () => import('./commands/validate.ts') },
  plan: { summary: 'show what would change on each host (offline or via the API)', load: () => import('./commands/plan.ts') },
  pki: { summary: 'pki generate: write the certificate set to a directory', load: () => import('./commands/pki.ts') },
};

export function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return [
    'zke - durable Kubernetes provisioning over SSH and Docker',
    '',
    'Usage: zke <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    'Environment: ZKE_API (default http://127.0.0.1:8080), ZKE_TOKEN (API bearer token)',
    `Exit codes: ${EXIT.ok} ok, ${EXIT.failed} failed/invalid, ${EXIT.usage} usage error, ${EXIT.busy} cluster busy, ${EXIT.unreachable} API unreachable`,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`zke: unknown command "${name}"\n\n${usage()}`);
    return EXIT.usage;
  }
  const command = (await entry.load()).default;
  return command(rest);
}
