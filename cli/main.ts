// zke command-line entry: dispatches to one module per command under ./commands.
import { type Command, EXIT } from './command.ts';
import { EMBEDDED_HELP } from './commands/online.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: Command }> }> = {
  config: { summary: 'write a commented starter cluster.yml', load: () => import('./commands/config.ts') },
  validate: { summary: 'validate a cluster.yml offline', load: () => import('./commands/validate.ts') },
  plan: {
    summary: 'show what would change on each host (offline: cluster.yml and an optional --state file)',
    load: () => import('./commands/plan.ts'),
  },
  database: {
    summary: "database migrate: move ZKE_HOME's state into the PostgreSQL of ZKE_DATABASE_URL (local)",
    load: () => import('./commands/database.ts'),
  },
  keys: {
    summary: 'keys list | rotate: the payload-encryption keyring (local, in ZKE_HOME)',
    load: () => import('./commands/keys.ts'),
  },
  images: {
    summary:
      'images list | build | push | load: the images a cluster pulls, built from source with your Docker, copied to a registry, loaded from archives into the nodes',
    load: () => import('./commands/images.ts'),
  },
  pki: {
    summary: 'pki generate: write the certificate set to a directory',
    load: () => import('./commands/pki.ts'),
  },
  up: {
    summary: 'create or change the cluster from cluster.yml, follow it, write kube_config_cluster.yml',
    load: () => import('./commands/up.ts'),
  },
  status: {
    summary: 'show a cluster (phase, revisions, operation, hosts, certificates) or list them',
    load: () => import('./commands/status.ts'),
  },
  remove: {
    summary: 'remove the cluster from its hosts (asks unless --force)',
    load: () => import('./commands/remove.ts'),
  },
  upgrade: {
    summary: 'apply a submitted revision as a rolling upgrade',
    load: () => import('./commands/upgrade.ts'),
  },
  rollback: {
    summary: 'return to an earlier revision (--to REV)',
    load: () => import('./commands/rollback.ts'),
  },
  cert: {
    summary: 'cert rotate [--services a,b] [--ca]: rotate certificates',
    load: () => import('./commands/cert.ts'),
  },
  adopt: {
    summary: 'take over a running cluster (RKE or zke) in place from cluster.yml and its state file',
    load: () => import('./commands/adopt.ts'),
  },
  recover: {
    summary: "recover: write back a lost record of a running cluster from its hosts' sealed copy (local)",
    load: () => import('./commands/recover.ts'),
  },
  encrypt: {
    summary: 'encrypt rotate-key: rotate the secrets encryption key, rewriting every Secret',
    load: () => import('./commands/encrypt.ts'),
  },
  etcd: {
    summary: 'etcd snapshot-save|snapshot-restore NAME|snapshot-list',
    load: () => import('./commands/etcd.ts'),
  },
  kubeconfig: {
    summary: 'print or write (-o FILE) the admin kubeconfig',
    load: () => import('./commands/kubeconfig.ts'),
  },
  state: {
    summary:
      "state export [-o FILE]: write the cluster's state as RKE's cluster.rkestate (0600, private keys)",
    load: () => import('./commands/state.ts'),
  },
  operations: {
    summary: 'list, show, follow or cancel operations',
    load: () => import('./commands/operations.ts'),
  },
  token: {
    summary: 'token create|list|revoke: API tokens (local, in ZKE_HOME)',
    load: () => import('./commands/token.ts'),
  },
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
    'Environment: ZKE_API (default http://127.0.0.1:8080), ZKE_TOKEN (API bearer token), ZKE_HOME (default ./.zke)',
    EMBEDDED_HELP,
    `Exit codes: ${EXIT.ok} ok, ${EXIT.failed} failed/invalid, ${EXIT.usage} usage error, ${EXIT.busy} cluster busy, ${EXIT.unreachable} API unreachable, 130 detached (Ctrl-C; the operation keeps running)`,
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
