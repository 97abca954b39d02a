// YAML reading that refuses alias bombs, very deep nesting and oversized input.
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { SpecIssue } from './types.ts';

export const YAML_LIMITS = {
  maxBytes: 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 32,
  maxValues: 100_000,
} as const;

export type YamlResult = { ok: true; value: unknown } | { ok: false; errors: SpecIssue[] };

/** Depth and size of a parsed value, stopping early once a limit is passed. */
function exceedsLimits(root: unknown): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  let values = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    values += 1;
    if (values > YAML_LIMITS.maxValues) return `the document has more than ${YAML_LIMITS.maxValues} values`;
    if (value === null || typeof value !== 'object') continue;
    if (depth > YAML_LIMITS.maxDepth)
      return `the document is nested deeper than ${YAML_LIMITS.maxDepth} levels`;
    for (const child of Object.values(value)) stack.push({ value: child, depth: depth + 1 });
  }
  return null;
}

function where(linePos: readonly { line: number; col: number }[] | undefined): string {
  const pos = linePos?.[0];
  return pos ? `(yaml line ${pos.line}, column ${pos.col})` : '(yaml)';
}

/** The message without the source excerpt and the position the path already gives. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** The first key that repeats within one mapping (scalar keys), with its source offset. */
function firstDuplicateKey(doc: ReturnType<typeof parseDocument>): { key: string; offset: number } | null {
  let found: { key: string; offset: number } | null = null;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          found = { key: String(key), offset: (isScalar(pair.key) && pair.key.range?.[0]) || 0 };
          return visit.BREAK;
        }
        seen.add(key);
      }
    },
  });
  return found;
}

/** Parses one YAML document into plain data, with limits; errors carry the line and column. */
export function parseYaml(text: string): YamlResult {
  if (text.length > YAML_LIMITS.maxBytes) {
    return {
      ok: false,
      errors: [{ path: '(yaml)', message: `the document is larger than ${YAML_LIMITS.maxBytes} bytes` }],
    };
  }
  // The library's own uniqueKeys check is quadratic in a mapping's size: a linear one follows.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false, merge: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({ path: where(e.linePos), message: firstLine(e.message) })),
    };
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate) {
    const pos = lines.linePos(duplicate.offset);
    return {
      ok: false,
      errors: [{ path: where([pos]), message: `Map keys must be unique ("${duplicate.key}")` }],
    };
  }
  try {
    const value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    const problem = exceedsLimits(value);
    return problem ? { ok: false, errors: [{ path: '(yaml)', message: problem }] } : { ok: true, value };
  } catch (error) {
    return { ok: false, errors: [{ path: '(yaml)', message: (error as Error).message }] };
  }
}
