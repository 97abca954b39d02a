// Request bodies: raw bytes up to BODY_LIMIT (413 beyond), parsed as JSON or YAML by content type.
// Both are parsed defensively: bounded nesting; YAML through the model's parseYaml (no alias bombs, no duplicate keys).
import express, { type Request } from 'express';
import { YAML_LIMITS } from '../../model/spec/index.ts';
import { badRequest, HttpError } from '../problem.ts';
import { readYaml, type YamlOutcome } from './yamlRead.ts';
import { yamlInThread } from './yamlThread.ts';

export const BODY_LIMIT = 1024 * 1024;
/** YAML bodies above this are parsed in a worker thread: a megabyte costs seconds of CPU. */
const OFFLOAD_BYTES = 64 * 1024;
const MAX_DEPTH = YAML_LIMITS.maxDepth;
export const JSON_TYPES = ['application/json'];
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Buffers any request body (limit BODY_LIMIT); parsing happens per route with `parseBody`. */
export const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT });

/** The parsed body, or undefined when the request has none. Large YAML is parsed off the main thread. */
export async function parseBody(req: Request): Promise<unknown> {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (req.is(JSON_TYPES)) return parseJson(text);
  if (req.is(YAML_TYPES))
    return yamlValue(text.length > OFFLOAD_BYTES ? await yamlInThread(text) : readYaml(text));
  throw new HttpError(
    415,
    'Unsupported Media Type',
    `send ${[...JSON_TYPES, YAML_TYPES[0]].join(' or ')} (got ${req.get('content-type') ?? 'no content type'})`,
  );
}

function parseJson(text: string): unknown {
  try {
    return checkDepth(JSON.parse(text));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw badRequest(`body is not valid JSON: ${(error as Error).message}`);
  }
}

function yamlValue(outcome: YamlOutcome): unknown {
  if (outcome.kind === 'too-deep') throw badRequest(`body nests deeper than ${MAX_DEPTH} levels`);
  if (outcome.kind === 'invalid')
    throw new HttpError(400, 'Bad Request', 'body is not acceptable YAML', { errors: outcome.errors });
  return outcome.value;
}

/** Iterative depth check (no recursion, so hostile input cannot overflow the stack here). */
function checkDepth(value: unknown): unknown {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth > MAX_DEPTH) throw badRequest(`body nests deeper than ${MAX_DEPTH} levels`);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return value;
}
