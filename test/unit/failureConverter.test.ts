// Failures keep a readable first line in history (the Web UI's event list shows it); the rest stays encoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { failureConverter } from '../../common/failureConverter.ts';

const convert = (message: string) =>
  failureConverter.errorToFailure(ApplicationFailure.nonRetryable(message), defaultPayloadConverter);

test('the readable message is the first line, cut before a key block and bounded', () => {
  assert.equal(convert('docker pull failed\nstderr: denied').message, 'docker pull failed');
  assert.equal(convert('bad key -----BEGIN RSA PRIVATE KEY----- MIIE').message, 'bad key');
  const long = convert('x'.repeat(1000)).message ?? '';
  assert.equal(long.length, 300);
  assert.ok(long.endsWith('…'));
});

test('the whole message and the stack are encoded, and come back for SDK clients', () => {
  const failure = convert('docker pull failed\nstderr: denied');
  assert.equal(failure.stackTrace, '');
  const error = failureConverter.failureToError(failure, defaultPayloadConverter);
  assert.equal(error.message, 'docker pull failed\nstderr: denied');
  assert.match(error.stack ?? '', /ApplicationFailure/);
});
