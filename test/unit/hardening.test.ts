// API-server hardening keys (RKE's and zke's `kube-api` block): parsed, refused when wrong, and turned by the
// plan into the API server's flags and the files those flags name, on controlplane hosts only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPlan, renderTextFile } from '../../model/plan/index.ts';
import { parseClusterSpec, redactSecrets } from '../../model/spec/index.ts';
import { containerOf, flag, host, MIN_3, specFrom } from './plan-fixture.ts';

const RKE_NODES = `
nodes:
  - {address: 10.9.0.1, role: [etcd, controlplane], user: root}
  - {address: 10.9.0.2, role: [worker], user: root}
`;

const HARDENED = `
    secrets_encryption_config: {enabled: true}
    audit_log:
      enabled: true
      configuration: {max_age: 5, max_backup: 2, max_size: 7, path: /var/log/audit/k.log, format: json}
    pod_security_configuration: restricted
    event_rate_limit: {enabled: true}
`;

const KEYS = { encryptionKeys: [{ name: 'k1', secret: 'c2VjcmV0LWtleS1ieXRlcy0zMi1sb25nLi4uLi4uLi4=' }] };

function errorsOf(yaml: string) {
  const result = parseClusterSpec(yaml);
  assert.equal(result.ok, false, 'expected the spec to be refused');
  return result.ok ? [] : result.errors;
}

const apiserver = (yaml: string) => containerOf(host(buildPlan(specFrom(yaml)), 'a'), 'kube-apiserver');

describe('API-server hardening in the plan', () => {
  for (const [format, yaml] of [
    ['RKE', `${RKE_NODES}services:\n  kube-api:${HARDENED}`],
    ['zke', `${MIN_3}core:\n  kube-api:${HARDENED}`],
  ] as const) {
    test(`${format} format: flags, audit bind and files on the controlplane host only`, () => {
      const plan = buildPlan(specFrom(yaml));
      const cp = plan.hosts.find((h) => h.roles.includes('controlplane'))!;
      const api = containerOf(cp, 'kube-apiserver');
      assert.equal(flag(api, 'encryption-provider-config'), '/etc/kubernetes/ssl/encryption.yaml');
      assert.equal(flag(api, 'audit-log-path'), '/var/log/audit/k.log');
      assert.equal(flag(api, 'audit-log-maxage'), '5');
      assert.equal(flag(api, 'audit-log-maxbackup'), '2');
      assert.equal(flag(api, 'audit-log-maxsize'), '7');
      assert.equal(flag(api, 'audit-log-format'), 'json');
      assert.equal(flag(api, 'audit-policy-file'), '/etc/kubernetes/audit-policy.yaml');
      assert.equal(flag(api, 'admission-control-config-file'), '/etc/kubernetes/admission.yaml');
      assert.match(flag(api, 'enable-admission-plugins') ?? '', /,EventRateLimit$/);
      assert.ok(
        api.binds.includes('/var/log/audit:/var/log/audit'),
        'the audit log directory is on the host',
      );
      const files = cp.files.map((f) => f.path);
      for (const path of [
        '/etc/kubernetes/ssl/encryption.yaml',
        '/etc/kubernetes/audit-policy.yaml',
        '/etc/kubernetes/admission.yaml',
      ])
        assert.ok(files.includes(path), `${path} on ${cp.name}`);
      for (const other of plan.hosts.filter((h) => !h.roles.includes('controlplane')))
        assert.ok(
          !other.files.some((f) => f.path.includes('admission')),
          `no API-server config on ${other.name}`,
        );
    });
  }

  test('no hardening key: the API server and files are as before (no config file, no extra plugin)', () => {
    const api = apiserver(MIN_3);
    for (const name of ['encryption-provider-config', 'audit-log-path', 'admission-control-config-file'])
      assert.equal(flag(api, name), undefined, name);
    assert.doesNotMatch(flag(api, 'enable-admission-plugins') ?? '', /EventRateLimit/);
    assert.equal(
      api.env.some((e) => e.startsWith('ZKE_APISERVER_CONFIG=')),
      false,
    );
  });

  test('a changed audit policy changes the API server container (it reads the file only at start)', () => {
    const policy = (level: string) =>
      `${MIN_3}core: {kube-api: {audit_log: {enabled: true, configuration: {policy: {apiVersion: audit.k8s.io/v1, kind: Policy, rules: [{level: ${level}}]}}}}}`;
    assert.notDeepEqual(apiserver(policy('Metadata')).env, apiserver(policy('Request')).env);
  });
});

describe('API-server hardening texts', () => {
  test('generated encryption config: the stored key seals Secrets, plain ones stay readable', () => {
    const spec = specFrom(`${MIN_3}core: {kube-api: {secrets_encryption_config: {enabled: true}}}`);
    const config = JSON.parse(renderTextFile('encryption-config', spec, KEYS));
    assert.equal(config.kind, 'EncryptionConfiguration');
    assert.deepEqual(config.resources[0].resources, ['secrets']);
    assert.deepEqual(config.resources[0].providers, [
      { secretbox: { keys: KEYS.encryptionKeys } },
      { identity: {} },
    ]);
    assert.throws(
      () => renderTextFile('encryption-config', spec, { encryptionKeys: [] }),
      /no secrets encryption key/,
    );
  });

  test('custom_config is written as given (empty settings inside too) and kept as a secret', () => {
    const custom = {
      apiVersion: 'apiserver.config.k8s.io/v1',
      kind: 'EncryptionConfiguration',
      resources: [
        {
          resources: ['secrets'],
          providers: [{ aescbc: { keys: [{ name: 'k', secret: 'TOPSECRET' }] } }, { identity: {} }],
        },
      ],
    };
    const spec = specFrom({
      nodes: [{ name: 'a', address: '10.9.0.1', roles: ['etcd', 'controlplane', 'worker'] }],
      core: { 'kube-api': { secrets_encryption_config: { enabled: true, custom_config: custom } } },
    });
    assert.deepEqual(JSON.parse(renderTextFile('encryption-config', spec, { encryptionKeys: [] })), custom);
    assert.doesNotMatch(JSON.stringify(redactSecrets(spec)), /TOPSECRET/);
    assert.doesNotMatch(JSON.stringify(buildPlan(spec)), /TOPSECRET/, 'the plan holds no key');
  });

  test('restricted PodSecurity exempts kube-system; EventRateLimit gets RKE default limits', () => {
    const spec = specFrom(`${MIN_3}core:\n  kube-api:${HARDENED}`);
    const admission = JSON.parse(renderTextFile('admission-config', spec, KEYS));
    assert.equal(admission.kind, 'AdmissionConfiguration');
    const [pss, erl] = admission.plugins;
    assert.equal(pss.name, 'PodSecurity');
    assert.equal(pss.configuration.defaults.enforce, 'restricted');
    assert.ok(pss.configuration.exemptions.namespaces.includes('kube-system'));
    assert.equal(erl.name, 'EventRateLimit');
    assert.deepEqual(erl.configuration.limits, [{ type: 'Server', qps: 5000, burst: 20000 }]);
    const audit = JSON.parse(renderTextFile('audit-policy', spec, KEYS));
    assert.deepEqual(audit.rules, [{ level: 'Metadata' }], "RKE's default policy");
  });

  test("admission_configuration's own PodSecurity plugin wins over pod_security_configuration", () => {
    const spec = specFrom(`${MIN_3}core:
  kube-api:
    pod_security_configuration: restricted
    admission_configuration:
      apiVersion: apiserver.config.k8s.io/v1
      kind: AdmissionConfiguration
      plugins:
        - name: PodSecurity
          configuration: {apiVersion: pod-security.admission.config.k8s.io/v1, kind: PodSecurityConfiguration, defaults: {enforce: baseline}}
`);
    const admission = JSON.parse(renderTextFile('admission-config', spec, KEYS));
    assert.equal(admission.plugins.length, 1);
    assert.equal(admission.plugins[0].configuration.defaults.enforce, 'baseline');
  });
});

describe('API-server hardening refusals', () => {
  test('pod_security_policy: true is an error pointing to PodSecurity admission', () => {
    const [error] = errorsOf(`${RKE_NODES}services: {kube-api: {pod_security_policy: true}}`);
    assert.equal(error?.path, 'services.kube-api.pod_security_policy');
    assert.match(
      error?.message ?? '',
      /removed in Kubernetes 1\.25.*pod_security_configuration.*admission_configuration/,
    );
    assert.ok(parseClusterSpec(`${RKE_NODES}services: {kube-api: {pod_security_policy: false}}`).ok);
  });

  test('wrong values name their path', () => {
    const errors = errorsOf(`${MIN_3}core:
  kube-api:
    pod_security_configuration: baseline
    secrets_encryption_config: {enabled: true, custom_config: {kind: Secret}}
    audit_log: {enabled: true, configuration: {path: relative.log, format: xml}}
`);
    const paths = errors.map((e) => e.path).sort();
    assert.deepEqual(paths, [
      'core.kube-api.audit_log.configuration.format',
      'core.kube-api.audit_log.configuration.path',
      'core.kube-api.pod_security_configuration',
      'core.kube-api.secrets_encryption_config.custom_config',
    ]);
  });
});
