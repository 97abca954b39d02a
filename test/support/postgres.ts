// A private PostgreSQL server for one test file (Debian's package): its own data directory and port on loopback,
// password authentication, stopped (by its PID) and removed when the test process exits.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort.ts';

const PG_ROOT = '/usr/lib/postgresql';

function pgBin(): string | undefined {
  if (!fs.existsSync(PG_ROOT)) return undefined;
  const versions = fs.readdirSync(PG_ROOT).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(PG_ROOT, v, 'bin')).find((d) => fs.existsSync(path.join(d, 'initdb')));
}

/** Why no test PostgreSQL can run here, or undefined. */
export function postgresSkipReason(): string | undefined {
  return pgBin()
    ? undefined
    : `no PostgreSQL server under ${PG_ROOT} (Debian's postgresql; bash lab/zlab.sh packages)`;
}

export interface TestPostgres {
  /** postgresql://zke:…@127.0.0.1:port/postgres */
  url: string;
  pid(): number;
  stop(): void;
  start(): void;
}

/** As the postgres user when root (the server refuses to run as root). */
function asPostgres(cmd: string, args: string[]): void {
  const [file, argv] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = pgBin();
  if (!bin) throw new Error(postgresSkipReason());
  // not a 0700 temp dir: the postgres user must reach its data
  const dir = path.join(os.tmpdir(), `zke-pg-${randomBytes(4).toString('hex')}`);
  const data = path.join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  fs.mkdirSync(dir, { mode: 0o711 });
  fs.writeFileSync(path.join(dir, 'pw'), password, { mode: 0o600 });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres:', dir]);
  asPostgres(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'zke',
    '--auth=scram-sha-256',
    `--pwfile=${dir}/pw`,
  ]);
  const port = await freePort();
  const ctl = (verb: string, ...args: string[]) =>
    asPostgres(path.join(bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '60',
      verb,
      ...args,
    ]);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`;
  const pid = () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const server: TestPostgres = {
    url: `postgresql://zke:${password}@127.0.0.1:${port}/postgres`,
    pid,
    stop: () => ctl('stop', '-m', 'fast'),
    start: () => ctl('start', '-o', options),
  };
  server.start();
  process.on('exit', () => {
    try {
      if (fs.existsSync(path.join(data, 'postmaster.pid'))) ctl('stop', '-m', 'immediate');
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return server;
}
