// The production compose stack is a valid compose file (checked offline by Debian's docker-compose).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { parse } from 'yaml';

const compose = (env: Record<string, string>) =>
  spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
const available = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;

test(
  'docker-compose.yml: Temporal on PostgreSQL with its UI, zke workers and API, health checks, volumes',
  { skip: available ? undefined : 'docker-compose is not installed' },
  () => {
    const res = compose({ TEMPORAL_DB_PASSWORD: 'test-password' });
    assert.equal(res.status, 0, res.stderr);
    const config = parse(res.stdout) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, unknown>;
    };
    for (const s of ['postgresql', 'temporal', 'temporal-ui', 'zke-worker', 'zke-api'])
      assert.ok(config.services[s], `service ${s}`);
    for (const s of ['postgresql', 'temporal', 'zke-api'])
      assert.ok(config.services[s].healthcheck, `${s} has a health check`);
    assert.equal((config.services['zke-worker'].deploy as { replicas: number }).replicas, 2);
    assert.ok('zke-home' in config.volumes && 'temporal-db' in config.volumes);
    const sharedHome = (s: string) => JSON.stringify(config.services[s].volumes).includes('/var/lib/zke');
    assert.ok(
      sharedHome('zke-worker') && sharedHome('zke-api'),
      'workers and API share the keyring and store',
    );
  },
);

test(
  'docker-compose.yml refuses to start without a database password',
  { skip: available ? undefined : 'docker-compose is not installed' },
  () => {
    const res = compose({ TEMPORAL_DB_PASSWORD: '' });
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /TEMPORAL_DB_PASSWORD/);
  },
);
