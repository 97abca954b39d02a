// Request bodies: raw bytes up to BODY_LIMIT (413 beyond), parsed as JSON or YAML by content type.
// Both are parsed defensively: bounded nesting; YAML through the model's parseYaml (no alias bombs, no duplicate keys).
import express, { type Request } from 'express';
import { Lexer } from 'yaml';
import { parseYaml, YAML_LIMITS } from '../../model/spec/index.ts';
import { badRequest, HttpError } from '../problem.ts';

export const BODY_LIMIT = 1024 * 1024;
const MAX_DEPTH = YAML_LIMITS.maxDepth;
export const JSON_TYPES = ['application/json'];
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** Buffers any request body (limit BODY_LIMIT); parsing happens per route with `parseBody`. */
export const rawBody = express.raw({ type: () => true, limit: BODY_LIMIT });

/** The parsed body, or undefined when the request has none. */
export function parseBody(req: Request): unknown {
  const raw = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (req.is(JSON_TYPES)) return parseJson(text);
  if (req.is(YAML_TYPES)) return parseYamlBody(text);
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

function parseYamlBody(text: string): unknown {
  const tooDeep = () => badRequest(`body nests deeper than ${MAX_DEPTH} levels`);
  if (flowTooDeep(text)) throw tooDeep();
  let result: ReturnType<typeof parseYaml>;
  try {
    result = parseYaml(text);
  } catch (error) {
    // The parser recurses: deep block nesting overflows the stack (a RangeError, or a SyntaxError if it
    // happens while a regular expression compiles).
    if (error instanceof Error && error.message.includes('Maximum call stack size exceeded')) throw tooDeep();
    throw error;
  }
  if (!result.ok)
    throw new HttpError(400, 'Bad Request', 'body is not acceptable YAML', { errors: result.errors });
  return result.value;
}

/**
 * Flow collections (`[`, `{`) nested deeper than MAX_DEPTH, seen by the lexer alone and stopping there: a full
 * parse of a megabyte of nested brackets takes many seconds before its depth can be checked.
 */
function flowTooDeep(text: string): boolean {
  let depth = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '[' || token === '{') depth++;
    else if (token === ']' || token === '}') depth--;
    if (depth > MAX_DEPTH) return true;
  }
  return false;
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
