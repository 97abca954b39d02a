// The S3 client's Signature V4: AWS's published "GET Object" example (bucket in the host name, a Range
// header) signs to the documented signature, and the query string and metadata headers are signed too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signedHeaders } from '../../activities/s3/client.ts';

const access = {
  endpoint: 'https://examplebucket.s3.amazonaws.com',
  region: 'us-east-1',
  accessKey: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const at = new Date('2013-05-24T00:00:00Z');

test("AWS's GET Object example signs to its documented signature", () => {
  const headers = signedHeaders(
    access,
    { method: 'GET', path: '/test.txt', headers: { Range: 'bytes=0-9' } },
    at,
  );
  assert.equal(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
      'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.equal(headers['x-amz-date'], '20130524T000000Z');
});

test('metadata headers are signed; the query changes the signature; the secret is in no header', () => {
  const put = signedHeaders(
    access,
    { method: 'PUT', path: '/b/k', headers: { 'x-amz-meta-zke-sha256': 'ab' }, payloadSha256: 'cd' },
    at,
  );
  assert.match(
    put.authorization!,
    /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-meta-zke-sha256,/,
  );
  assert.equal(put['x-amz-content-sha256'], 'cd');
  const list = (prefix: string) =>
    signedHeaders(access, { method: 'GET', path: '/b', query: { 'list-type': '2', prefix } }, at)
      .authorization;
  assert.notEqual(list('a/'), list('b/'));
  assert.ok(!JSON.stringify(put).includes(access.secretKey));
});
