// The encryption keys zke takes over from an adopted cluster's state file: secretbox keys in their order (the
// first writes), and the configurations zke cannot take over refused with what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adoptedEncryptionKeys } from '../../model/rkestate/index.ts';

const config = (provider: string, keys: string) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - ${provider}:
          keys: ${keys}
      - identity: {}
`;

test('secretbox keys are taken over in order, the writing key first', () => {
  const keys = '[{name: new, secret: bmV3}, {name: old, secret: b2xk}]';
  assert.deepEqual(adoptedEncryptionKeys(config('secretbox', keys)), {
    keys: [
      { name: 'new', secret: 'bmV3' },
      { name: 'old', secret: 'b2xk' },
    ],
  });
});

test('another provider, no configuration, or a key without its secret is refused, saying why', () => {
  const problem = (text: string | undefined) => {
    const out = adoptedEncryptionKeys(text);
    return 'problem' in out ? out.problem : assert.fail('taken over');
  };
  assert.match(
    problem(config('aescbc', '[{name: k, secret: eA==}]')),
    /encrypts Secrets with aescbc, and zke writes secretbox/,
  );
  assert.match(problem(undefined), /has no encryptionConfig/);
  assert.match(problem(config('secretbox', '[{name: k}]')), /every secretbox key needs a name and a secret/);
  assert.match(problem('resources: [{resources: [secrets], providers: []}]'), /lists no provider/);
  assert.match(problem('{ not yaml'), /not YAML/);
});
