// Reading a YAML request body into plain data or a plain verdict, on whichever thread calls it.
import { Lexer } from 'yaml';
import { parseYaml, type SpecIssue, YAML_LIMITS } from '../../model/spec/index.ts';

const MAX_DEPTH = YAML_LIMITS.maxDepth;

/** What reading a YAML body gave: plain data, so it can come back from a worker thread. */
export type YamlOutcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'too-deep' }
  | { kind: 'invalid'; errors: readonly SpecIssue[] };

export function readYaml(text: string): YamlOutcome {
  if (flowTooDeep(text)) return { kind: 'too-deep' };
  let result: ReturnType<typeof parseYaml>;
  try {
    result = parseYaml(text);
  } catch (error) {
    // The parser recurses: deep block nesting overflows the stack (a RangeError, or a SyntaxError if it
    // happens while a regular expression compiles).
    if (error instanceof Error && error.message.includes('Maximum call stack size exceeded'))
      return { kind: 'too-deep' };
    throw error;
  }
  return result.ok ? { kind: 'value', value: result.value } : { kind: 'invalid', errors: result.errors };
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
