// The OpenAPI 3.1 document, generated from the route table and the zod schemas the routes validate with.
import { z } from 'zod';
import { type AnyRoute, scopeOf } from '../http/route.ts';
import { components } from '../schemas.ts';

type Json = Record<string, unknown>;

const PROBLEM = 'application/problem+json';
const problemRef = { $ref: '#/components/schemas/Problem' };
const problem = (description: string) => ({ description, content: { [PROBLEM]: { schema: problemRef } } });

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

export function openApiDocument(routes: readonly AnyRoute[], info: DocumentInfo): Json {
  const paths: Record<string, Json> = { '/healthz': healthPath() };
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path][route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearerAuth: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token from `zke token create --scope read|operate|admin` (the first one, admin, is printed when the API first starts). Each operation names the scope it needs; a token without it gets 403.',
        },
      },
      schemas: componentSchemas(),
    },
  };
}

function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(components, {
    uri: (id) => `#/components/schemas/${id}`,
    io: 'input',
    unrepresentable: 'any',
  });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, strip(schema as Json)]));
}

function strip(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** `$ref` to the schema's component; every schema a route names must be registered in api/schemas.ts. */
function ref(schema: z.ZodType, where: string): Json {
  const id = components.get(schema)?.id;
  if (!id) throw new Error(`${where}: schema is not a registered component`);
  return { $ref: `#/components/schemas/${id}` };
}

function operation(route: AnyRoute): Json {
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const op: Json = {
    operationId: operationName(route),
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, `Needs a token with scope \`${scopeOf(route)}\` or above.`]
      .filter(Boolean)
      .join('\n\n'),
    security: [{ bearerAuth: [scopeOf(route)] }],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    responses: { ...successResponses(route, where), ...errorResponses(route) },
  };
  if (route.body) {
    const types = route.body.types ?? ['application/json'];
    op.requestBody = {
      required: route.body.required ?? false,
      content: Object.fromEntries(types.map((type) => [type, { schema: ref(route.body!.schema, where) }])),
    };
  }
  return op;
}

function successResponses(route: AnyRoute, where: string): Json {
  return Object.fromEntries(
    Object.entries(route.responses).map(([status, r]) => {
      if (!r.schema && !r.contentType) return [status, { description: r.description }];
      const schema = r.schema ? ref(r.schema, where) : { type: 'string' };
      return [
        status,
        { description: r.description, content: { [r.contentType ?? 'application/json']: { schema } } },
      ];
    }),
  );
}

function errorResponses(route: AnyRoute): Json {
  const out: Json = {
    401: problem('Missing, unknown or revoked bearer token.'),
    403: problem('The token lacks the scope this operation needs (`requiredScope`).'),
  };
  if (route.params) out[404] = problem('No such cluster, operation, snapshot or schedule.');
  if (route.method !== 'get')
    out[409] = problem(
      'The cluster is busy with another operation (see `operationId`), or in the wrong state.',
    );
  if (route.query) out[400] = problem('A query parameter is not valid.');
  if (route.body) {
    out[400] = problem('The body is not parsable JSON or YAML (or nests too deep / uses too many aliases).');
    out[413] = problem('The body is larger than 1 MiB.');
    out[415] = problem('Unsupported content type.');
    out[422] = problem('Validation failed; `errors` lists each problem with its path.');
  }
  out[503] = problem('Temporal is unreachable.');
  return out;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): Json[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, prop]) => {
    const json = strip(z.toJSONSchema(prop, { io: 'input', unrepresentable: 'any' }) as Json);
    const { description, ...rest } = json;
    return {
      name,
      in: location,
      required: location === 'path' || !prop.safeParse(undefined).success,
      description,
      schema: rest,
    };
  });
}

/** get /v1/clusters/{name}/snapshots → getClusterSnapshots (stable, unique per route). */
function operationName(route: AnyRoute): string {
  const words = route.path
    .split('/')
    .filter((part) => part && part !== 'v1' && !part.startsWith('{'))
    .map((part) => part.replace(/(^|[-_])(\w)/g, (_m, _sep, c: string) => c.toUpperCase()));
  const byParam = route.path.endsWith('}') ? 'ById' : '';
  return `${route.method}${words.join('')}${byParam}`;
}

function healthPath(): Json {
  return {
    get: {
      operationId: 'getHealth',
      tags: ['health'],
      summary: 'Health: is Temporal reachable, a worker polling, the store writable? (no token needed)',
      security: [],
      responses: {
        200: { description: 'Healthy.', content: { 'application/json': { schema: { type: 'object' } } } },
        503: { description: 'Degraded.', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };
}
