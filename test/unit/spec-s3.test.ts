// backup_config.s3backupconfig in both formats: RKE's fields to one model, the secret key marked secret,
// the endpoint read as RKE writes it, and every mistake reported with its path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseClusterSpec, redactSecrets } from '../../model/spec/index.ts';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

function yaml(root: 'services' | 'core', s3: string, key = 's3backupconfig'): string {
  return `
nodes: [{address: 10.0.0.1, roles: [etcd, controlplane, worker]}]
${root}:
  etcd:
    backup_config:
      interval_hours: 6
      retention: 4
      ${key}:
${s3
  .trim()
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
`;
}

const RKE_S3 = `
access_key: AKID
secret_key: s3cr3t-key
bucket_name: backups
region: eu-west-1
endpoint: s3.lab.example:9000
folder: /clusters/prod/
custom_ca: |-
  ${CA.split('\n').join('\n  ')}
`;

function parsed(input: string) {
  const result = parseClusterSpec(input);
  if (!result.ok) assert.fail(JSON.stringify(result.errors));
  return result.spec;
}

function errors(input: string): Record<string, string> {
  const result = parseClusterSpec(input);
  assert.equal(result.ok, false, 'the spec is refused');
  return Object.fromEntries((result.ok ? [] : result.errors).map((e) => [e.path, e.message]));
}

describe('s3 backup config', () => {
  test("RKE's services.etcd.backup_config.s3backupconfig is read field for field", () => {
    const spec = parsed(yaml('services', RKE_S3));
    assert.deepEqual(spec.services.etcd.s3, {
      endpoint: 'https://s3.lab.example:9000',
      bucket: 'backups',
      folder: 'clusters/prod',
      region: 'eu-west-1',
      accessKey: 'AKID',
      secretKey: { secret: true, value: 's3cr3t-key' },
      customCa: `${CA}\n`,
    });
    assert.deepEqual(spec.services.etcd.snapshot, { enabled: true, creation: '6h', retention: '24h' });
  });

  test('the zke format (core.etcd, s3backup_config, bucket) gives the same model', () => {
    const zke = yaml('core', RKE_S3.replace('bucket_name:', 'bucket:'), 's3backup_config');
    assert.deepEqual(parsed(zke).services.etcd.s3, parsed(yaml('services', RKE_S3)).services.etcd.s3);
  });

  test('the secret key never shows in a redacted spec; the region defaults to us-east-1', () => {
    const spec = parsed(yaml('services', RKE_S3.replace('region: eu-west-1', 'region: ""')));
    assert.equal(spec.services.etcd.s3?.region, 'us-east-1');
    const shown = JSON.stringify(redactSecrets(spec));
    assert.doesNotMatch(shown, /s3cr3t-key/);
    assert.match(shown, /AKID/);
  });

  test('an http URL endpoint is kept; no backup_config means no upload', () => {
    const spec = parsed(yaml('services', RKE_S3.replace('s3.lab.example:9000', 'http://10.0.0.9:7070/')));
    assert.equal(spec.services.etcd.s3?.endpoint, 'http://10.0.0.9:7070');
    const none = parsed('nodes: [{address: 10.0.0.1, roles: [etcd, controlplane, worker]}]');
    assert.equal(none.services.etcd.s3, undefined);
  });

  test('missing fields, a path in the endpoint and a non-PEM CA are errors at their paths', () => {
    const at = 'services.etcd.backup_config.s3backupconfig';
    const found = errors(yaml('services', 'endpoint: https://s3.example/bucket\ncustom_ca: not-a-pem'));
    assert.deepEqual(Object.keys(found).sort(), [
      `${at}.access_key`,
      `${at}.bucket_name`,
      `${at}.custom_ca`,
      `${at}.endpoint`,
      `${at}.secret_key`,
    ]);
    assert.match(found[`${at}.endpoint`]!, /host and port only/);
  });

  test('both spellings at once are refused', () => {
    const both = yaml('services', `${RKE_S3}`).replace(
      'backup_config:',
      'backup_config:\n      s3backup_config: {endpoint: x}',
    );
    assert.match(errors(both)['services.etcd.backup_config.s3backup_config']!, /not both/);
  });
});
