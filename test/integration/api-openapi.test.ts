// The OpenAPI document: generated from the routes' zod schemas, every route present, every $ref resolvable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeTable } from '../../api/routes/index.ts';
import type { Services } from '../../api/service/index.ts';
import { apiSuite } from './api-harness.ts';

const suite = apiSuite();

/** The endpoints of issue 7. */
const EXPECTED = [
  ['post', '/v1/clusters'],
  ['get', '/v1/clusters'],
  ['get', '/v1/clusters/{name}'],
  ['put', '/v1/clusters/{name}'],
  ['delete', '/v1/clusters/{name}'],
  ['post', '/v1/clusters/{name}/upgrade'],
  ['post', '/v1/clusters/{name}/rollback'],
  ['post', '/v1/clusters/{name}/certificates/rotate'],
  ['post', '/v1/clusters/{name}/snapshots'],
  ['get', '/v1/clusters/{name}/snapshots'],
  ['post', '/v1/clusters/{name}/snapshots/{snapshot}/restore'],
  ['get', '/v1/clusters/{name}/plan'],
  ['post', '/v1/clusters/{name}/plan'],
  ['get', '/v1/clusters/{name}/kubeconfig'],
  ['post', '/v1/clusters/{name}/schedules/{kind}'],
  ['get', '/v1/clusters/{name}/schedules'],
  ['patch', '/v1/clusters/{name}/schedules/{kind}'],
  ['delete', '/v1/clusters/{name}/schedules/{kind}'],
  ['get', '/v1/operations/{id}'],
  ['get', '/v1/operations/{id}/events'],
  ['post', '/v1/operations/{id}/cancel'],
  ['get', '/healthz'],
] as const;

// biome-ignore lint/suspicious/noExplicitAny: walking arbitrary JSON
function refs(node: any, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refs(item, out);
  else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string') out.push(node.$ref);
    for (const value of Object.values(node)) refs(value, out);
  }
  return out;
}

test('/openapi.json is OpenAPI 3.1 with every route, bearer security and resolvable schema refs', async () => {
  const reply = await suite.api.request('GET', '/openapi.json');
  assert.equal(reply.status, 200);
  const doc = reply.json;
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
  assert.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
  assert.deepEqual(doc.paths['/healthz'].get.security, [], '/healthz needs no token');

  for (const [method, path] of EXPECTED) assert.ok(doc.paths[path]?.[method], `${method} ${path} documented`);
  const routes = routeTable({} as Services).routes;
  for (const route of routes) {
    const op = doc.paths[route.path]?.[route.method];
    assert.ok(op, `${route.method} ${route.path} documented`);
    assert.ok(op.summary, `${route.method} ${route.path} has a summary`);
    assert.ok(op.responses['401'], `${route.method} ${route.path} documents 401`);
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    assert.deepEqual(
      op.parameters.filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name),
      pathParams,
      `${route.method} ${route.path} path parameters`,
    );
  }
  const ids = routes.map((r) => doc.paths[r.path][r.method].operationId);
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');

  const all = refs(doc);
  assert.ok(all.length > 50);
  for (const ref of all) {
    assert.match(ref, /^#\/components\/schemas\//);
    assert.ok(doc.components.schemas[ref.split('/').pop() ?? ''], `${ref} resolves`);
  }
});

test('request and response schemas come from the zod schemas the API validates with', async () => {
  const doc = (await suite.api.request('GET', '/openapi.json')).json;
  const post = doc.paths['/v1/clusters'].post;
  assert.deepEqual(Object.keys(post.requestBody.content).sort(), ['application/json', 'application/yaml']);
  assert.equal(
    post.responses['202'].content['application/json'].schema.$ref,
    '#/components/schemas/OperationAccepted',
  );
  assert.equal(
    post.responses['422'].content['application/problem+json'].schema.$ref,
    '#/components/schemas/Problem',
  );
  assert.ok(post.responses['413'] && post.responses['400']);
  const spec = doc.components.schemas.ClusterSpecInput;
  assert.ok(
    spec.properties.nodes && spec.properties.cluster_name && spec.properties.services,
    'the cluster.yml schema',
  );
  const rollback = doc.components.schemas.RollbackRequest;
  assert.equal(rollback.properties.toRevision.type, 'integer');
  const name = doc.paths['/v1/clusters/{name}'].get.parameters[0];
  assert.equal(name.required, true);
  assert.ok(name.schema.pattern, 'the cluster name pattern');
  const events = doc.paths['/v1/operations/{id}/events'].get.responses['200'];
  assert.ok(events.content['text/event-stream']);
});
