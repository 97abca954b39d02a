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

const UI_SIGN_IN = {
  ZKE_UI_OIDC_ISSUER: 'https://id.example.test',
  ZKE_UI_OIDC_CLIENT_ID: 'zke-ui',
  ZKE_UI_OIDC_CLIENT_SECRET: 'ui-secret',
};

test(
  'docker-compose.yml: Temporal on PostgreSQL and unpublished, its UI signed-in and read-only, zke workers and API sharing no volume',
  { skip: available ? undefined : 'docker-compose is not installed' },
  () => {
    const res = compose({ TEMPORAL_DB_PASSWORD: 'test-password', ...UI_SIGN_IN });
    assert.equal(res.status, 0, res.stderr);
    const config = parse(res.stdout) as {
      services: Record<string, Record<string, unknown> & { environment: Record<string, string> }>;
      volumes: Record<string, unknown>;
      secrets: Record<string, { file: string }>;
    };
    for (const s of ['postgresql', 'temporal', 'temporal-ui', 'zke-worker', 'zke-api'])
      assert.ok(config.services[s], `service ${s}`);
    for (const s of ['postgresql', 'temporal', 'zke-api'])
      assert.ok(config.services[s].healthcheck, `${s} has a health check`);
    for (const s of ['postgresql', 'temporal'])
      assert.equal(config.services[s].ports, undefined, `${s} (no mTLS, no sign-in) publishes no port`);
    for (const s of ['zke-worker', 'zke-api']) {
      const service = config.services[s];
      assert.equal((service.deploy as { replicas: number }).replicas, 2, `${s}: two replicas`);
      assert.equal(
        service.environment.ZKE_DATABASE_URL,
        'postgresql://temporal:test-password@postgresql:5432/zke',
      );
      assert.equal(service.environment.ZKE_KEYRING, '/run/secrets/zke-keyring');
      const volumes = JSON.stringify(service.volumes ?? []);
      assert.ok(
        !volumes.includes('zke-home') && !volumes.includes('/var/lib/zke'),
        `${s} shares no state volume`,
      );
    }
    assert.deepEqual(Object.keys(config.volumes), ['temporal-db'], 'no volume for zke state');
    assert.match(config.secrets['zke-keyring'].file, /secrets\/payload-keyring\.json$/);
    const ui = config.services['temporal-ui'].environment;
    assert.equal(ui.TEMPORAL_DISABLE_WRITE_ACTIONS, 'true');
    assert.equal(ui.TEMPORAL_AUTH_ENABLED, 'true');
    assert.equal(ui.TEMPORAL_AUTH_PROVIDER_URL, UI_SIGN_IN.ZKE_UI_OIDC_ISSUER);
  },
);

test(
  'docker-compose.yml refuses to start without a database password or a sign-in provider for the UI',
  { skip: available ? undefined : 'docker-compose is not installed' },
  () => {
    const noPassword = compose({ TEMPORAL_DB_PASSWORD: '', ...UI_SIGN_IN });
    assert.notEqual(noPassword.status, 0);
    assert.match(noPassword.stderr, /TEMPORAL_DB_PASSWORD/);
    const noSignIn = compose({
      TEMPORAL_DB_PASSWORD: 'test-password',
      ...UI_SIGN_IN,
      ZKE_UI_OIDC_ISSUER: '',
    });
    assert.notEqual(noSignIn.status, 0);
    assert.match(noSignIn.stderr, /ZKE_UI_OIDC_ISSUER/);
  },
);
